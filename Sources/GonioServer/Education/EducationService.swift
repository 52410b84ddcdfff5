import Vapor
import Fluent
import GonioCore

/// Condition articles for a patient: the one that goes with their plan's protocol is assigned
/// with the plan; when the patient's side opens it, it counts as read, and the therapist sees
/// when. The library itself is readable by anyone signed in.
struct EducationService {
    let ctx: CallContext

    struct Assigned: Content {
        var id: String
        var title: String
        var summary: String
        var readingMinutes: Int
        /// Why it is assigned ("With the plan: Knee osteoarthritis").
        var reason: String
        var readAt: Date?
    }

    var library: EducationLibrary { ctx.clinicalContent.education }

    /// The articles assigned to the patient: the one for each protocol of their plans (the
    /// current one first), with when the patient's side first read it.
    func assigned(_ patient: AuthorizedPatient) async throws -> [Assigned] {
        let plans = PlanService(ctx: ctx)
        var protocols: [String] = []
        if let plan = try await plans.latest(patient) {
            for v in try await plans.versions(of: plan.requireID()).reversed() {
                if let p = v.content.value.protocolID, !protocols.contains(p) { protocols.append(p) }
            }
        }
        let reads = try await ArticleReadModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).all()
        return protocols.compactMap { id in
            guard let a = library.forProtocol(id) else { return nil }
            let name = ctx.clinicalContent.protocols.protocol(id: id)?.name ?? id
            return Assigned(id: a.id, title: a.title, summary: a.summary, readingMinutes: a.readingMinutes, reason: "With the plan: \(name)",
                            readAt: reads.first { $0.articleID == a.id }?.readAt)
        }
    }

    /// Records that the patient's side read an article (the first time counts).
    func markRead(_ patient: AuthorizedPatient, articleID: String) async throws {
        guard library.article(id: articleID) != nil else { throw DomainError.notFound("article-not-found", "No such article.") }
        if try await ArticleReadModel.query(on: ctx.db).filter(\.$patient.$id == patient.id).filter(\.$articleID == articleID).first() != nil { return }
        let row = ArticleReadModel()
        row.$patient.id = patient.id
        row.articleID = articleID
        row.readAt = ctx.now
        row.$readBy.id = ctx.user?.userID
        // Two first reads at once: the (patient, article) key keeps one.
        do { try await row.create(on: ctx.db) } catch where DatabaseRefusal.domainError(error)?.kind == .conflict { return }
    }
}

/// When the patient's side first read an article (M0019).
final class ArticleReadModel: Model, @unchecked Sendable {
    static let schema = "article_reads"
    @ID(key: .id) var id: UUID?
    @Parent(key: "patient_id") var patient: PatientModel
    @Field(key: "article_id") var articleID: String
    @Field(key: "read_at") var readAt: Date
    @OptionalParent(key: "read_by") var readBy: UserModel?

    init() {}
}
