import Fluent

/// The one numbered history of the schema. Never edit a migration that has landed; add one.
enum Migrations {
    static let all: [any Migration] = [
        M0001_CreateAccounts(),
        M0002_CreateCareRelations(),
        M0003_CreateSessions(),
        M0004_CreateAuditLog(),
        M0005_AddUniqueOpenLinksAndClinicNames(),
        M0006_CreateIntakes(),
        M0007_CreateOutcomeMeasures(),
        M0008_CreateClinicalNotes(),
        M0009_AddListAuditAndOneOpenAssignment(),
        M0010_CreatePlansAndPractice(),
        M0011_CreateVisits(),
        M0012_AddVisitCalls(),
        M0013_CreateJobsAndNotifications(),
        M0014_CreateVisitGuests(),
        M0015_AddPracticeMotion(),
        M0016_CreateVisitReadings(),
        M0017_CreateProgress(),
        M0018_CreateMessages(),
        M0019_CreateArticleReads(),
        M0020_CreateClinicRules(),
        M0021_CreateRomMeasurements(),
        M0022_CreateBilling(),
        M0023_CreateCoding(),
        M0024_CreateCover(),
        M0025_CreatePaymentPlans(),
        M0026_AddSubscriptionPeriods(),
    ]
}
