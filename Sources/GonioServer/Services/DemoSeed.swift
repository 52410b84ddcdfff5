import Vapor
import Fluent
import GonioCore

/// Demo data for development and tests: one clinic with an admin, a verified therapist
/// licensed in CA and OR (home, compact) with privileges in WA and AZ, a therapist awaiting
/// verification, two patients, a caregiver and a platform admin. Never used in production.
public enum DemoSeed {
    public static let password = "gonio-demo-2026"
    public static let logins: [(email: String, who: String)] = [
        ("admin@example.com", "clinic admin, Riverside Physical Therapy"),
        ("therapist@example.com", "verified PT (CA, OR home; compact privileges WA, AZ)"),
        ("unverified@example.com", "therapist awaiting verification"),
        ("patient@example.com", "patient"),
        ("patient2@example.com", "patient"),
        ("caregiver@example.com", "caregiver of patient@example.com"),
        ("platform@example.com", "platform admin"),
    ]

    /// Seeds only an empty database. Returns whether it seeded.
    @discardableResult
    public static func seedIfEmpty(_ db: any Database, passwordCost: Int, now: Date = Date()) async throws -> Bool {
        guard try await UserModel.query(on: db).count() == 0 else { return false }
        let hash = try PasswordHasher.hash(password, cost: passwordCost)
        let calendar = Calendar(identifier: .gregorian)
        @Sendable func day(years: Int, months: Int = 0) -> String {
            CalendarDay(utc: calendar.date(byAdding: DateComponents(year: years, month: months), to: now)!).description
        }
        try await db.transaction { db in
            let riverside = ClinicModel(name: "Riverside Physical Therapy", kind: ClinicKind.privatePractice.rawValue)
            let harbor = ClinicModel(name: "Harbor Telehealth PT", kind: ClinicKind.telehealthProvider.rawValue)
            try await riverside.create(on: db)
            try await harbor.create(on: db)
            let clinicID = try riverside.requireID()

            func user(_ email: String, _ name: String, _ role: Role) async throws -> UUID {
                let u = UserModel(email: email, name: name, role: role.rawValue, passwordHash: hash)
                try await u.create(on: db)
                return try u.requireID()
            }
            let admin = try await user("admin@example.com", "Priya Natarajan", .clinicAdmin)
            try await ClinicMembershipModel(clinicID: clinicID, userID: admin, role: Role.clinicAdmin.rawValue).create(on: db)
            _ = try await user("platform@example.com", "Platform Operator", .platformAdmin)

            let dana = try await user("therapist@example.com", "Dana Whitaker, PT, DPT", .therapist)
            try await ClinicMembershipModel(clinicID: clinicID, userID: dana, role: Role.therapist.rawValue).create(on: db)
            let verified = TherapistModel(userID: dana, verification: VerificationStatus.verified.rawValue)
            verified.decidedBy = admin
            verified.decidedAt = now
            try await verified.create(on: db)
            let homeExpiry = day(years: 1, months: 7)
            try await TherapistService.saveCredentials(
                therapistID: verified.requireID(),
                licenses: [
                    License(number: "PT 41872", type: .pt, jurisdiction: try Jurisdiction("US-CA"),
                            expiresOn: try CalendarDay(day(years: 2)), isHomeState: false),
                    License(number: "OR-PT-2291", type: .pt, jurisdiction: try Jurisdiction("US-OR"),
                            expiresOn: try CalendarDay(homeExpiry), isHomeState: true),
                ],
                privileges: [
                    CompactPrivilege(jurisdiction: try Jurisdiction("US-WA"), expiresOn: try CalendarDay(homeExpiry)),
                    CompactPrivilege(jurisdiction: try Jurisdiction("US-AZ"), expiresOn: try CalendarDay(homeExpiry)),
                ], on: db)

            let sam = try await user("unverified@example.com", "Sam Ortiz, PT", .therapist)
            try await ClinicMembershipModel(clinicID: clinicID, userID: sam, role: Role.therapist.rawValue).create(on: db)
            let pending = TherapistModel(userID: sam, verification: VerificationStatus.pending.rawValue)
            try await pending.create(on: db)
            try await TherapistService.saveCredentials(
                therapistID: pending.requireID(),
                licenses: [License(number: "TX-1205533", type: .pt, jurisdiction: try Jurisdiction("US-TX"),
                                   expiresOn: try CalendarDay(day(years: 1)), isHomeState: true)],
                privileges: [], on: db)

            let maria = try await user("patient@example.com", "Maria Lopez", .patient)
            let p1 = PatientModel(userID: maria, clinicID: clinicID, dateOfBirth: "1956-04-12", location: "US-CA")
            try await p1.create(on: db)
            let james = try await user("patient2@example.com", "James Chen", .patient)
            let p2 = PatientModel(userID: james, clinicID: clinicID, dateOfBirth: "1988-09-03", location: "US-WA")
            try await p2.create(on: db)
            for p in [p1, p2] {
                try await CareTeamMemberModel(patientID: p.requireID(), therapistID: verified.requireID(), addedBy: admin).create(on: db)
            }

            let ana = try await user("caregiver@example.com", "Ana Lopez", .caregiver)
            try await CaregiverLinkModel(
                patientID: p1.requireID(), caregiverUserID: ana,
                scopes: CaregiverScope.allCases.map(\.rawValue).joined(separator: ","),
                expiresAt: calendar.date(byAdding: .year, value: 1, to: now)!, createdBy: maria).create(on: db)
        }
        return true
    }
}

/// `gonio seed`: demo data into an empty development database.
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Seeds demo data into an empty database (refused in production)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard !app.gonioConfig.isProduction else {
            throw GonioCommandError("Demo data is never seeded in production.")
        }
        try await app.autoMigrate()
        let seeded = try await DemoSeed.seedIfEmpty(app.db, passwordCost: app.gonioConfig.passwordCost)
        context.console.print(seeded ? "Seeded demo data." : "The database already has users; nothing seeded.")
    }
}

struct GonioCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
