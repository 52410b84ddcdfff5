import Vapor
import Fluent
import SQLKit
import GonioCore

/// Registration, sign-in and password changes, shared by the pages, the JSON API and commands.
struct AccountService {
    let ctx: CallContext

    struct LicenseInput: Content {
        var number: String
        var type: String
        var jurisdiction: String
        var expiresOn: String
        var isHomeState: Bool?
    }

    struct PrivilegeInput: Content {
        var jurisdiction: String
        var expiresOn: String
    }

    struct Registration: Content {
        var email: String
        var password: String
        var name: String
        var role: String
        /// Required for patients and therapists; caregivers belong to no clinic.
        var clinicId: UUID?
        var dateOfBirth: String?
        var location: String?
        /// An IANA time zone (`America/Chicago`); the practice days count in it. Left out: the
        /// usual zone of `location`.
        var timeZone: String?
        var licenses: [LicenseInput]?
        var compactPrivileges: [PrivilegeInput]?
    }

    static func parseLicenses(_ inputs: [LicenseInput]) throws -> [License] {
        try inputs.map { input in
            guard let type = LicenseType(rawValue: input.type.uppercased()) else {
                throw DomainError.invalid("license-type-invalid", "Licence type must be PT or PTA.")
            }
            return License(
                number: try License.validatedNumber(input.number), type: type,
                jurisdiction: try Jurisdiction(input.jurisdiction), expiresOn: try CalendarDay(input.expiresOn),
                isHomeState: input.isHomeState ?? false)
        }
    }

    static func parsePrivileges(_ inputs: [PrivilegeInput]) throws -> [CompactPrivilege] {
        try inputs.map { CompactPrivilege(jurisdiction: try Jurisdiction($0.jurisdiction), expiresOn: try CalendarDay($0.expiresOn)) }
    }

    static let emailTaken = DomainError.conflict("email-taken", "An account with that email already exists. Sign in instead.")

    /// Creates the account. Patients and caregivers can use it at once; therapists wait for a
    /// clinic admin to verify their licences. A patient's new record is audited
    /// (`account.register`) in the same transaction that creates it.
    func register(_ r: Registration) async throws -> UserModel {
        let email = try AccountRules.normalizedEmail(r.email)
        let name = try AccountRules.validatedName(r.name)
        try AccountRules.validatePassword(r.password, email: email)
        guard let role = Role(rawValue: r.role), Role.selfRegistrable.contains(role) else {
            throw DomainError.invalid("role-invalid", "Register as a patient, caregiver or therapist.")
        }
        var clinicID: UUID?
        if role != .caregiver {
            guard let id = r.clinicId, try await ClinicModel.find(id, on: ctx.db) != nil else {
                throw DomainError.invalid("clinic-invalid", "Choose a clinic from the list.")
            }
            clinicID = id
        }
        var dateOfBirth: CalendarDay?, location: Jurisdiction?, timeZone: PatientTimeZone?
        var licenses: [License] = [], privileges: [CompactPrivilege] = []
        switch role {
        case .patient:
            if let raw = r.dateOfBirth, !raw.isEmpty {
                let dob = try CalendarDay(raw)
                guard dob <= ctx.today else { throw DomainError.invalid("date-of-birth-future", "The date of birth is in the future.") }
                dateOfBirth = dob
            }
            if let raw = r.location, !raw.isEmpty { location = try Jurisdiction(raw) }
            if let raw = r.timeZone, !raw.isEmpty { timeZone = try PatientTimeZone(raw) }
        case .therapist:
            licenses = try Self.parseLicenses(r.licenses ?? [])
            privileges = try Self.parsePrivileges(r.compactPrivileges ?? [])
            try Licensure.validate(licenses: licenses, privileges: privileges, compact: ctx.config.compact, today: ctx.today)
        default: break
        }
        if try await UserModel.query(on: ctx.db).filter(\.$email == email).count() > 0 { throw Self.emailTaken }
        let cost = ctx.config.passwordCost, password = r.password
        let hash = try await ctx.offload { try PasswordHasher.hash(password, cost: cost) }
        let (dob, place, licenceList, privilegeList, clinic, zone) = (dateOfBirth, location, licenses, privileges, clinicID, timeZone)
        return try await ctx.transaction { tx in
            let user = UserModel(email: email, name: name, role: role, passwordHash: hash)
            try await insertingUniquely(or: Self.emailTaken) { try await user.create(on: tx.db) }
            let userID = try user.requireID()
            var patientID: UUID?
            switch role {
            case .patient:
                let patient = PatientModel(userID: userID, clinicID: clinic!, dateOfBirth: dob?.description, location: place?.code,
                                           timeZone: zone?.identifier)
                try await patient.create(on: tx.db)
                patientID = patient.id
            case .therapist:
                let therapist = TherapistModel(userID: userID, verification: .pending)
                try await therapist.create(on: tx.db)
                try await TherapistService.saveCredentials(therapistID: therapist.requireID(), licenses: licenceList,
                                                           privileges: privilegeList, on: tx.db)
                try await ClinicMembershipModel(clinicID: clinic!, userID: userID, role: .therapist).create(on: tx.db)
            default: break
            }
            try await tx.audit.record(.init(action: AccountEvent.register.rawValue, patientID: patientID, clinicID: clinic,
                                            resource: "account/\(userID.uuidString)", outcome: .allowed, reason: role.rawValue))
            return user
        }
    }

    /// Checks an email and password under the sign-in throttle (see `LoginThrottle`).
    func authenticate(email rawEmail: String, password: String) async throws -> UserModel {
        let email = (try? AccountRules.normalizedEmail(rawEmail)) ?? String(rawEmail.lowercased().prefix(254))
        guard !InputRules.hasControlCharacter(email, allowingLineBreaks: false) else {
            throw DomainError.invalid("email-invalid", "Enter an email address like name@example.com.")
        }
        let attempt = try await reserveAttempt(email: email)
        let user = try await UserModel.query(on: ctx.db).filter(\.$email == email).first()
        let ok: Bool
        if let user {
            let hash = user.passwordHash
            ok = try await ctx.offload { PasswordHasher.verify(password, against: hash) }
        } else {
            try await ctx.offload { PasswordHasher.burnTime() }
            ok = false
        }
        try await settle(attempt, succeeded: ok)
        guard ok, let user else {
            throw DomainError(.unauthenticated, code: "invalid-credentials", "The email or password is not right.")
        }
        return user
    }

    /// Asks the throttle whether this account may try a password from this address now and, if
    /// so, records the attempt as a failure until `settle` says otherwise: one step, so guesses
    /// sent at once are counted one after another (the immediate transaction on SQLite; advisory
    /// locks on the account and the address on PostgreSQL). Returns the attempt's id.
    private func reserveAttempt(email: String) async throws -> UUID {
        let address = LoginThrottle.addressKey(ctx.clientAddress)
        let throttle = ctx.config.loginThrottle
        return try await ctx.transaction { tx in
            // The time is read once the locks are held, so attempts are stamped in the order they count.
            let now = tx.now
            if !tx.config.database.isSQLite, let sql = tx.db as? any SQLDatabase {
                // Always the account first, then the address: no two requests wait on each other in a circle.
                try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "sign-in:" + email)))").run()
                try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "sign-in-from:" + address)))").run()
            }
            let since = now.addingTimeInterval(-throttle.window)
            let failures = try await LoginAttemptModel.query(on: tx.db).filter(\.$at > since).filter(\.$succeeded == false)
                .group(.or) { $0.filter(\.$email == email).filter(\.$address == address) }.all()
            let known = try await LoginAttemptModel.query(on: tx.db).filter(\.$email == email).filter(\.$address == address)
                .filter(\.$succeeded == true).filter(\.$at > now.addingTimeInterval(-throttle.knownAddressMemory)).count() > 0
            func times(_ keep: (LoginAttemptModel) -> Bool) -> [Double] { failures.filter(keep).map { $0.at.timeIntervalSince1970 } }
            let history = LoginThrottle.History(
                pair: times { $0.email == email && $0.address == address }, address: times { $0.address == address },
                account: times { $0.email == email }, knownAddress: known)
            if case .refused(let wait) = throttle.verdict(history, now: now.timeIntervalSince1970) {
                var error = DomainError(.rateLimited, code: "too-many-attempts",
                                        wait < 90 ? "Too many failed sign-ins. Try again in \(Int(wait)) seconds."
                                                  : "Too many failed sign-ins. Try again in \(Int(wait / 60)) minutes.")
                error.retryAfter = Int(wait)
                throw error
            }
            let attempt = LoginAttemptModel(email: email, address: address, at: now, succeeded: false)
            try await attempt.create(on: tx.db)
            return try attempt.requireID()
        }
    }

    /// Records how a reserved attempt ended. Failures older than a day are no longer needed,
    /// successes only as long as they make an address known.
    private func settle(_ attempt: UUID, succeeded: Bool) async throws {
        if succeeded {
            try await LoginAttemptModel.query(on: ctx.db).filter(\.$id == attempt).set(\.$succeeded, to: true).update()
            return
        }
        let now = ctx.now
        try await LoginAttemptModel.query(on: ctx.db).filter(\.$succeeded == false)
            .filter(\.$at < now.addingTimeInterval(-86_400)).delete()
        try await LoginAttemptModel.query(on: ctx.db)
            .filter(\.$at < now.addingTimeInterval(-ctx.config.loginThrottle.knownAddressMemory)).delete()
    }

    /// Changes the password after checking the current one, and signs out every other session.
    func changePassword(current: String, new: String) async throws {
        let user = try ctx.requireUser()
        guard let model = try await UserModel.find(user.userID, on: ctx.db) else {
            throw DomainError(.unauthenticated, code: "unauthenticated", "Sign in to continue.")
        }
        // Guessing the current password through a stolen session meets the same throttle as signing in.
        let attempt = try await reserveAttempt(email: model.email)
        let oldHash = model.passwordHash
        let matches = try await ctx.offload { PasswordHasher.verify(current, against: oldHash) }
        try await settle(attempt, succeeded: matches)
        guard matches else { throw DomainError.invalid("current-password-wrong", "Your current password is not right.") }
        try AccountRules.validatePassword(new, email: model.email)
        guard new != current else { throw DomainError.invalid("password-unchanged", "Choose a password different from the current one.") }
        let cost = ctx.config.passwordCost
        model.passwordHash = try await ctx.offload { try PasswordHasher.hash(new, cost: cost) }
        model.passwordChangedAt = ctx.now
        try await model.update(on: ctx.db)
        try await SessionStore(ctx).revokeAll(userID: user.userID, keeping: user.sessionID, now: ctx.now)
    }
}
