import Vapor
import Fluent
import GonioCore

/// Pictures, videos and links a clinic attaches to an exercise. Files are checked by their
/// first bytes (not by the name or the type a browser claims), limited in size
/// (`GONIO_MEDIA_MAX_MB`), and kept in the data directory named by a fresh id, never by the
/// uploaded name. Only the clinic that attached them, and its patients, see them.
struct MediaService {
    let ctx: CallContext

    struct MediaDTO: Content {
        var id: UUID
        var kind: String
        var title: String
        var contentType: String?
        var byteCount: Int?
        /// Where to fetch it: the file for uploads, the address for links.
        var url: String
        var clinicId: UUID
    }

    func dto(_ m: ExerciseMediaModel, api: Bool) -> MediaDTO {
        let id = m.id ?? UUID()
        let url = m.kind == .link ? (m.url ?? "") : (api ? Paths.API.exerciseMediaItem(m.exerciseID, id) : Paths.exerciseMediaItem(m.exerciseID, id))
        return MediaDTO(id: id, kind: m.kind.rawValue, title: m.title, contentType: m.contentType, byteCount: m.byteCount, url: url,
                        clinicId: m.$clinic.id)
    }

    static let extensions = ["image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif", "video/mp4": "mp4",
                             "video/webm": "webm"]

    /// Where an uploaded file is kept.
    func path(_ id: UUID, _ contentType: String) -> String {
        let name = "\(id.uuidString.lowercased()).\(Self.extensions[contentType] ?? "bin")"
        return (ctx.config.mediaDirectory as NSString).appendingPathComponent(name)
    }

    /// What a file is, from its first bytes.
    static func sniff(_ bytes: [UInt8]) -> (type: String, kind: ExerciseMediaModel.Kind)? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { return ("image/jpeg", .image) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return ("image/png", .image) }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return ("image/webp", .image) }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return ("image/gif", .image) }
        if starts(Array("ftyp".utf8), at: 4) { return ("video/mp4", .video) }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return ("video/webm", .video) }
        return nil
    }

    static func title(_ raw: String?, fallback: String) throws -> String {
        let text = (raw ?? "").trimmingWhitespace()
        let title = text.isEmpty ? fallback : text
        guard title.count <= 120, !InputRules.hasControlCharacter(title, allowingLineBreaks: false) else {
            throw DomainError.invalid("title-invalid", "Give the media a title of at most 120 characters on one line.")
        }
        return title
    }

    /// The exercise the caller may attach media to, and the clinic it goes under.
    func target(_ exerciseID: String, clinicID requested: UUID?) async throws -> (Exercise, UUID) {
        let service = ExerciseService(ctx: ctx)
        let (exercise, row) = try await service.exercise(id: exerciseID)
        if let row {
            // A clinic's exercise takes media from its own staff only.
            guard try service.writableClinics().contains(row.$clinic.id) else {
                throw DomainError.forbidden("not-clinic-member", "Only the clinic's own staff can add media to its exercises.")
            }
            return (exercise, row.$clinic.id)
        }
        return (exercise, try service.clinic(requested))
    }

    /// Stores an uploaded picture or video.
    func upload(_ exerciseID: String, data: ByteBuffer, title rawTitle: String?, clinicID requested: UUID?) async throws -> MediaDTO {
        let (exercise, clinicID) = try await target(exerciseID, clinicID: requested)
        guard data.readableBytes > 0 else { throw DomainError.invalid("file-missing", "Choose a picture or video to upload.") }
        guard data.readableBytes <= ctx.config.mediaMaxBytes else {
            throw DomainError.invalid("file-too-large", "Files can be at most \(ctx.config.mediaMaxBytes / 1024 / 1024) MB.")
        }
        guard let sniffed = Self.sniff(data.getBytes(at: data.readerIndex, length: min(16, data.readableBytes)) ?? []) else {
            throw DomainError.invalid("file-type", "Upload a JPEG, PNG, WebP or GIF picture, or an MP4 or WebM video.")
        }
        let id = UUID()
        try FileManager.default.createDirectory(atPath: ctx.config.mediaDirectory, withIntermediateDirectories: true)
        let path = self.path(id, sniffed.type)
        try await ctx.offload { try Data(buffer: data).write(to: URL(fileURLWithPath: path), options: .atomic) }
        let model = ExerciseMediaModel(id: id, clinicID: clinicID, exerciseID: exercise.id, kind: sniffed.kind,
                                       title: try Self.title(rawTitle, fallback: exercise.name), contentType: sniffed.type,
                                       byteCount: data.readableBytes, url: nil, createdBy: ctx.user?.userID, at: ctx.now)
        do {
            try await model.create(on: ctx.db)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return dto(model, api: true)
    }

    /// Attaches a link (a video on the clinic's own site): https only.
    func link(_ exerciseID: String, url raw: String?, title rawTitle: String?, clinicID requested: UUID?) async throws -> MediaDTO {
        let (exercise, clinicID) = try await target(exerciseID, clinicID: requested)
        let text = (raw ?? "").trimmingWhitespace()
        guard text.count <= 500, let url = URL(string: text), url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty else {
            throw DomainError.invalid("url-invalid", "Give a link that starts with https://.")
        }
        let model = ExerciseMediaModel(id: UUID(), clinicID: clinicID, exerciseID: exercise.id, kind: .link,
                                       title: try Self.title(rawTitle, fallback: host), contentType: nil, byteCount: nil, url: text,
                                       createdBy: ctx.user?.userID, at: ctx.now)
        try await model.create(on: ctx.db)
        return dto(model, api: true)
    }

    /// The media of an exercise the caller may see, from the clinics they see.
    func list(_ exerciseID: String) async throws -> [ExerciseMediaModel] {
        let clinics = try await ExerciseService(ctx: ctx).visibleClinics()
        guard !clinics.isEmpty else { return [] }
        return try await ExerciseMediaModel.query(on: ctx.db).filter(\.$exerciseID == exerciseID).filter(\.$clinic.$id ~~ clinics)
            .sort(\.$createdAt).all()
    }

    func item(_ exerciseID: String, _ mediaID: UUID) async throws -> ExerciseMediaModel {
        _ = try await ExerciseService(ctx: ctx).exercise(id: exerciseID)
        guard let media = try await list(exerciseID).first(where: { $0.id == mediaID }) else {
            throw DomainError.notFound("media-not-found", "No such media for this exercise.")
        }
        return media
    }

    /// The file of an uploaded item, as a response that cannot be taken for a page.
    func file(_ exerciseID: String, _ mediaID: UUID, for req: Request) async throws -> Response {
        let media = try await item(exerciseID, mediaID)
        guard media.kind != .link, let type = media.contentType else {
            throw DomainError.notFound("media-not-found", "This media is a link, not a file.")
        }
        let path = self.path(mediaID, type)
        guard FileManager.default.fileExists(atPath: path) else { throw DomainError.notFound("media-not-found", "The file is missing.") }
        let parts = type.split(separator: "/").map(String.init)
        let response = try await req.fileio.asyncStreamFile(at: path, mediaType: HTTPMediaType(type: parts[0], subType: parts[1]))
        response.headers.replaceOrAdd(name: .contentDisposition, value: "inline")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        return response
    }

    func remove(_ exerciseID: String, _ mediaID: UUID) async throws {
        let media = try await item(exerciseID, mediaID)
        guard try ExerciseService(ctx: ctx).writableClinics().contains(media.$clinic.id) else {
            throw DomainError.forbidden("not-clinic-member", "Only the clinic's own staff can remove its media.")
        }
        try await media.delete(on: ctx.db)
        if media.kind != .link, let type = media.contentType { try? FileManager.default.removeItem(atPath: path(mediaID, type)) }
    }
}
