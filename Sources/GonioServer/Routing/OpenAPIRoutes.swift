import Vapor

/// The API's contract, `Resources/openapi.json`, served at `/api/v1/openapi.json`.
struct OpenAPIRoutes: Feature {
    func register(_ routes: FeatureRoutes) {
        routes.openAPI.get(Paths.API.openAPI, use: document)
    }

    func document(req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "openapi.json"
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.contentType = .json
        return response
    }
}
