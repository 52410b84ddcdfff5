import ArgumentParser
import Vapor
import Fluent
import SQLKit
import GonioCore

/// `gonio seed`: demo data into an empty development database; `--scale N` then adds N
/// synthetic patients to the demo clinic and the demo therapist's care team.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed demo data into an empty development database; --scale N adds N synthetic patients.")

    @ArgumentParser.Option(name: .long, help: "Add this many synthetic patients (1 to 1,000,000) to the demo clinic and therapist.")
    var scale: Int?

    func validate() throws {
        if let scale, !(1...1_000_000).contains(scale) {
            throw ValidationError("--scale must be a whole number from 1 to 1000000.")
        }
    }

    func run() async throws {
        let config = try AppConfig.fromEnvironment(CommandOutput.environment)
        guard !config.isProduction else { throw CommandFailure("Demo data is never seeded in production.") }
        GonioRuntime.bootstrapLogging(config)
        try await GonioRuntime.withApplication(config, command: "seed") { app in
            try await app.autoMigrate()
            let ctx = app.systemContext("seed")
            let out = CommandOutput.current
            let seeded = try await DemoSeed.seedIfEmpty(ctx)
            out.line(seeded ? "Seeded demo data." : "The database already has users; demo data not seeded again.")
            if let scale {
                let started = ContinuousClock.now
                let added = try await ScaleSeed.addPatients(scale, ctx)
                let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
                out.line("Added \(added) synthetic patients to \(DemoSeed.clinicName) and \(DemoSeed.therapistEmail)'s care team in \(String(format: "%.1f", seconds)) s.")
            }
        }
    }
}

/// Demo data for development and tests: one clinic with an admin, a verified therapist
/// licensed in CA and OR (home, compact) with privileges in WA and AZ, a therapist awaiting
/// verification, two patients, a caregiver and a platform admin. Never used in production.
public enum DemoSeed {
    public static let password = "gonio-demo-2026"
    static let clinicName = "Riverside Physical Therapy"
    static let therapistEmail = "therapist@example.com"
    public static let logins: [(email: String, who: String)] = [
        ("admin@example.com", "clinic admin, Riverside Physical Therapy"),
        ("therapist@example.com", "verified PT (CA, OR home; compact privileges WA, AZ)"),
        ("unverified@example.com", "therapist awaiting verification"),
        ("patient@example.com", "patient"),
        ("patient2@example.com", "patient"),
        ("patient3@example.com", "patient, discharged, with a home program"),
        ("caregiver@example.com", "caregiver of patient@example.com"),
        ("platform@example.com", "platform admin"),
    ]

    /// Seeds only an empty database. Returns whether it seeded. `history` adds the demo
    /// patients' two weeks of care (`DemoHistory`); tests that need blank records leave it out.
    @discardableResult
    static func seedIfEmpty(_ ctx: CallContext, history: Bool = true) async throws -> Bool {
        guard try await UserModel.query(on: ctx.db).count() == 0 else { return false }
        let cost = ctx.config.passwordCost
        let hash = try await ctx.offload { try PasswordHasher.hash(password, cost: cost) }
        let now = ctx.now
        let calendar = Calendar(identifier: .gregorian)
        @Sendable func day(years: Int, months: Int = 0) -> String {
            CalendarDay(utc: calendar.date(byAdding: DateComponents(year: years, month: months), to: now)!).description
        }
        let (maria, james) = try await ctx.transaction { tx in
            let db = tx.db
            let riverside = ClinicModel(name: clinicName, kind: .privatePractice)
            let harbor = ClinicModel(name: "Harbor Telehealth PT", kind: .telehealthProvider)
            try await riverside.create(on: db)
            try await harbor.create(on: db)
            let clinicID = try riverside.requireID()

            func user(_ email: String, _ name: String, _ role: Role) async throws -> UUID {
                let u = UserModel(email: email, name: name, role: role, passwordHash: hash)
                try await u.create(on: db)
                return try u.requireID()
            }
            let admin = try await user("admin@example.com", "Priya Natarajan", .clinicAdmin)
            try await ClinicMembershipModel(clinicID: clinicID, userID: admin, role: .clinicAdmin).create(on: db)
            _ = try await user("platform@example.com", "Platform Operator", .platformAdmin)

            let dana = try await user(therapistEmail, "Dana Whitaker, PT, DPT", .therapist)
            try await ClinicMembershipModel(clinicID: clinicID, userID: dana, role: .therapist).create(on: db)
            let verified = TherapistModel(userID: dana, verification: .verified)
            verified.$decidedBy.id = admin
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
            try await ClinicMembershipModel(clinicID: clinicID, userID: sam, role: .therapist).create(on: db)
            let pending = TherapistModel(userID: sam, verification: .pending)
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
                patientID: p1.requireID(), caregiverUserID: ana, scopes: Set(CaregiverScope.allCases),
                expiresAt: calendar.date(byAdding: .year, value: 1, to: now)!, createdBy: maria).create(on: db)
            try await tx.audit.record(.init(action: AccountEvent.register.rawValue, clinicID: clinicID, resource: "seed/demo",
                                            outcome: .allowed, reason: "demo data", patients: [try p1.requireID(), try p2.requireID()]))
            return (try p1.requireID(), try p2.requireID())
        }
        if history { try await DemoHistory.seed(ctx, maria: maria, james: james) }
        return true
    }
}

/// `gonio seed --scale N`: a clinic's worth of synthetic patients, so anyone can try Gonio at a
/// real size. Bulk inserts in one transaction, one shared password hash; names are drawn from
/// common US first and last names, so searching by name finds realistic groups.
enum ScaleSeed {
    static let firstNames = [
        "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "William", "Mia", "Benjamin",
        "Charlotte", "Lucas", "Amelia", "Henry", "Harper", "Theodore", "Evelyn", "Jack", "Abigail", "Levi", "Emily", "Alexander",
        "Ella", "Mateo", "Elizabeth", "Daniel", "Camila", "Michael", "Luna", "Mason", "Sofia", "Sebastian", "Avery", "Ethan",
        "Mila", "Logan", "Aria", "Owen", "Scarlett", "Samuel", "Penelope", "Jacob", "Layla", "Asher", "Chloe", "Aiden",
        "Victoria", "John", "Madison", "Joseph", "Eleanor", "Wyatt", "Grace", "David", "Nora", "Leo", "Riley", "Luke",
        "Hannah", "Julian", "Lillian", "Hudson", "Addison", "Grayson", "Aubrey", "Matthew", "Ellie", "Ezra", "Stella",
        "Gabriel", "Natalie", "Carter", "Zoe", "Isaac", "Leah", "Jayden", "Hazel", "Luca", "Violet", "Anthony", "Aurora",
        "Dylan", "Savannah", "Lincoln", "Audrey", "Thomas", "Brooklyn", "Maverick", "Bella", "Elias", "Claire", "Josiah",
        "Skylar", "Charles", "Lucy", "Caleb", "Paisley", "Christopher", "Everly", "Ezekiel", "Anna", "Miles", "Caroline",
        "Jaxon", "Nova", "Isaiah", "Genesis", "Andrew", "Emilia", "Joshua", "Kennedy", "Nathan", "Samantha", "Nolan",
        "Maya", "Adrian", "Willow", "Cameron", "Kinsley", "Santiago", "Naomi", "Eli", "Aaliyah", "Aaron", "Elena",
        "Ryan", "Sarah", "Angel", "Ariana", "Cooper", "Allison", "Waylon", "Gabriella", "Easton", "Alice", "Kai", "Madelyn",
    ]
    static let lastNames = [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
        "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez",
        "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
        "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
        "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
        "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez",
        "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward",
        "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
        "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    ]
    /// Where the synthetic patients are: mostly where the demo therapist may practise.
    static let locations = ["US-CA", "US-CA", "US-OR", "US-WA", "US-AZ", "US-CA", "US-NV", "US-TX"]

    /// Adds `count` patients; returns how many were added.
    static func addPatients(_ count: Int, _ ctx: CallContext) async throws -> Int {
        guard let clinic = try await ClinicModel.query(on: ctx.db).filter(\.$name == DemoSeed.clinicName).first(),
              let therapistUser = try await UserModel.query(on: ctx.db).filter(\.$email == DemoSeed.therapistEmail).first(),
              let therapist = try await TherapistModel.query(on: ctx.db).filter(\.$user.$id == therapistUser.requireID()).first()
        else {
            throw CommandFailure("The demo clinic and therapist are missing: run `gonio seed` on an empty database first.")
        }
        let clinicID = try clinic.requireID(), therapistID = try therapist.requireID()
        let cost = ctx.config.passwordCost
        let hash = try await ctx.offload { try PasswordHasher.hash(DemoSeed.password, cost: cost) }
        // A prefix per run keeps emails unique when the command runs again.
        let run = String(UUID().uuidString.prefix(6)).lowercased()
        let batch = 500
        var added: [UUID] = []
        try await ctx.transaction { tx in
            var start = 0
            var ids: [UUID] = []
            while start < count {
                let range = start..<min(count, start + batch)
                let users = range.map { i in
                    UserModel(id: UUID(), email: "scale-\(run)-\(i)@example.com", name: name(i), role: .patient, passwordHash: hash)
                }
                try await users.create(on: tx.db)
                let patients = zip(range, users).map { i, user in
                    PatientModel(id: UUID(), userID: user.id!, clinicID: clinicID, dateOfBirth: dateOfBirth(i),
                                 location: locations[i % locations.count])
                }
                try await patients.create(on: tx.db)
                try await patients.map { CareTeamMemberModel(patientID: $0.id!, therapistID: therapistID, addedBy: nil) }.create(on: tx.db)
                ids += patients.map { $0.id! }
                start = range.upperBound
            }
            try await tx.audit.record(.init(action: AccountEvent.register.rawValue, clinicID: clinicID, resource: "seed/scale/\(run)",
                                            outcome: .allowed, reason: "synthetic patients", patients: ids))
            return ids
        }.forEach { added.append($0) }
        // Fresh statistics after a bulk load, so both databases plan lists by the new sizes.
        if let sql = ctx.db as? any SQLDatabase { try await sql.raw("ANALYZE").run() }
        return added.count
    }

    static func name(_ i: Int) -> String {
        "\(firstNames[(i * 7 + i / firstNames.count) % firstNames.count]) \(lastNames[(i * 13 + i / 11) % lastNames.count])"
    }

    static func dateOfBirth(_ i: Int) -> String {
        let year = 1940 + (i * 37) % 70, month = 1 + (i * 5) % 12, day = 1 + (i * 11) % 28
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
