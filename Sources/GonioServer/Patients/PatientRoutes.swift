import Vapor
import GonioCore

/// The patients one may act for, a page at a time, and one patient's record.
struct PatientRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.api.get(Paths.API.patients, use: list)
        routes.api.get(Paths.API.patient, use: get)
    }

    /// `GET /api/v1/patients?page=&per=&q=`: searchable by name, a fixed number of queries per
    /// page, one audit entry naming the patients returned.
    func list(req: Request) async throws -> Paginated<PatientDTO> {
        let (page, search) = try req.listRequest()
        let result = try await req.context.gate.list(.patientList, page: page, search: search, resource: "api/patients")
        return Paginated(items: result.items.map(PatientDTO.init), page: page, total: result.total)
    }

    func get(req: Request) async throws -> PatientDTO {
        let id = try req.uuidParameter("patientID")
        return PatientDTO(try await req.context.gate.authorize(.patientRead, patientID: id))
    }
}

struct PatientDTO: Content {
    var id: UUID
    var userId: UUID
    var name: String
    var clinicId: UUID
    /// Email, date of birth and location: only for those who may see the record.
    var email: String?
    var dateOfBirth: String?
    var location: String?
    /// The IANA time zone the patient's practice days are counted in.
    var timeZone: String?
    var createdAt: Date?
    /// What the caller may do for this patient (policy actions such as `view-record`).
    var permissions: [String]

    init(_ p: AuthorizedPatient) {
        id = p.id
        userId = p.userID
        name = p.name
        clinicId = p.clinicID
        if p.may(.viewRecord) {
            email = p.email
            dateOfBirth = p.dateOfBirth
            location = p.location
            timeZone = p.timeZone.identifier
            createdAt = p.createdAt
        }
        permissions = PatientAction.allCases.filter(p.granted.contains).map(\.rawValue)
    }
}
