import Vapor
import Fluent
import GonioCore

/// Registration, sign-in and password changes, shared by the web pages and the JSON API.
struct AccountService {
    let req: Request

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

    /// Creates the account. Patients and caregivers can use it at once; therapists wait for a
    /// clinic admin to verify their licences.
    func register(_ r: Registration) async throws -> UserModel {
        let email = try AccountRules.normalizedEmail(r.email)
        let name = try AccountRules.validatedName(r.name)
        try AccountRules.validatePassword(r.password, email: email)
        guard let role = Role(rawValue: r.role), Role.selfRegistrable.contains(role) else {
            throw DomainError.invalid("role-invalid", "Register as a patient, caregiver or therapist.")
        }
        var clinicID: UUID?
        if role != .caregiver {
            guard let id = r.clinicId, try await ClinicModel.find(id, on: req.db) != nil else {
                throw DomainError.invalid("clinic-invalid", "Choose a clinic from the list.")
            }
            clinicID = id
        }
        var dateOfBirth: CalendarDay?, location: Jurisdiction?
        var licenses: [License] = [], privileges: [CompactPrivilege] = []
        switch role {
        case .patient:
            if let raw = r.dateOfBirth, !raw.isEmpty {
                let dob = try CalendarDay(raw)
                guard dob <= req.today else { throw DomainError.invalid("date-of-birth-future", "The date of birth is in the future.") }
                dateOfBirth = dob
            }
            if let raw = r.location, !raw.isEmpty { location = try Jurisdiction(raw) }
        case .therapist:
            licenses = try Self.parseLicenses(r.licenses ?? [])
            privileges = try Self.parsePrivileges(r.compactPrivileges ?? [])
            try Licensure.validate(licenses: licenses, privileges: privileges, compact: req.config.compact, today: req.today)
        default: break
        }
        if try await UserModel.query(on: req.db).filter(\.$email == email).count() > 0 {
            throw DomainError.conflict("email-taken", "An account with that email already exists. Sign in instead.")
        }
        let cost = req.config.passwordCost
        let hash = try await req.application.threadPool.runIfActive { try PasswordHasher.hash(r.password, cost: cost) }
        let (dob, place, licenceList, privilegeList, clinic) = (dateOfBirth, location, licenses, privileges, clinicID)
        return try await req.db.transaction { db in
            let user = UserModel(email: email, name: name, role: role.rawValue, passwordHash: hash)
            try await insertingUniquely(or: .conflict("email-taken", "An account with that email already exists. Sign in instead.")) {
                try await user.create(on: db)
            }
            let userID = try user.requireID()
            switch role {
            case .patient:
                try await PatientModel(userID: userID, clinicID: clinic!, dateOfBirth: dob?.description,
                                       location: place?.code).create(on: db)
            case .therapist:
                let therapist = TherapistModel(userID: userID, verification: VerificationStatus.pending.rawValue)
                try await therapist.create(on: db)
                try await TherapistService.saveCredentials(therapistID: therapist.requireID(), licenses: licenceList,
                                                           privileges: privilegeList, on: db)
                try await ClinicMembershipModel(clinicID: clinic!, userID: userID, role: Role.therapist.rawValue).create(on: db)
            default: break
            }
            return user
        }
    }

    /// Checks an email and password, with per-account and per-address throttling.
    func authenticate(email rawEmail: String, password: String) async throws -> UserModel {
        let email = (try? AccountRules.normalizedEmail(rawEmail)) ?? String(rawEmail.lowercased().prefix(254))
        let address = req.clientAddress
        let now = req.now
        let throttle = req.config.loginThrottle
        let since = now.addingTimeInterval(-throttle.window)
        let recent = try await LoginAttemptModel.query(on: req.db).filter(\.$at > since)
            .group(.or) { $0.filter(\.$email == email).filter(\.$address == address) }.all()
        let failures = recent.filter { !$0.succeeded }
        let known = try await LoginAttemptModel.query(on: req.db).filter(\.$email == email).filter(\.$address == address)
            .filter(\.$succeeded == true).filter(\.$at > now.addingTimeInterval(-throttle.knownAddressMemory)).count() > 0
        let history = LoginThrottle.History(
            pair: failures.filter { $0.email == email && $0.address == address }.map { $0.at.timeIntervalSince1970 },
            address: failures.filter { $0.address == address }.map { $0.at.timeIntervalSince1970 },
            account: failures.filter { $0.email == email }.map { $0.at.timeIntervalSince1970 },
            knownAddress: known)
        if case .refused(let wait) = throttle.verdict(history, now: now.timeIntervalSince1970) {
            req.storage[RetryAfterKey.self] = Int(wait)
            throw DomainError(.rateLimited, code: "too-many-attempts",
                              "Too many failed sign-ins. Try again in \(max(1, Int(wait) / 60)) minute(s).")
        }
        let user = try await UserModel.query(on: req.db).filter(\.$email == email).first()
        let ok: Bool
        if let user {
            let hash = user.passwordHash
            ok = try await req.application.threadPool.runIfActive { PasswordHasher.verify(password, against: hash) }
        } else {
            try await req.application.threadPool.runIfActive { PasswordHasher.burnTime() }
            ok = false
        }
        try await LoginAttemptModel(email: email, address: address, at: now, succeeded: ok).create(on: req.db)
        guard ok, let user else {
            // Keep the table small: attempts older than a day are no longer needed.
            try await LoginAttemptModel.query(on: req.db).filter(\.$at < now.addingTimeInterval(-86_400)).delete()
            throw DomainError(.unauthenticated, code: "invalid-credentials", "The email or password is not right.")
        }
        return user
    }

    /// Changes the password after checking the current one, and signs out every other session.
    func changePassword(_ user: CurrentUser, current: String, new: String) async throws {
        guard let model = try await UserModel.find(user.userID, on: req.db) else {
            throw DomainError(.unauthenticated, code: "unauthenticated", "Sign in to continue.")
        }
        let oldHash = model.passwordHash
        let matches = try await req.application.threadPool.runIfActive { PasswordHasher.verify(current, against: oldHash) }
        guard matches else { throw DomainError.invalid("current-password-wrong", "Your current password is not right.") }
        try AccountRules.validatePassword(new, email: model.email)
        guard new != current else { throw DomainError.invalid("password-unchanged", "Choose a password different from the current one.") }
        let cost = req.config.passwordCost
        model.passwordHash = try await req.application.threadPool.runIfActive { try PasswordHasher.hash(new, cost: cost) }
        model.passwordChangedAt = req.now
        try await model.update(on: req.db)
        try await SessionStore(db: req.db, config: req.config).revokeAll(userID: user.userID, keeping: user.sessionID, now: req.now)
    }
}

struct RetryAfterKey: StorageKey { typealias Value = Int }
