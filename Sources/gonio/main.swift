import GonioServer

try await GonioApp.main()
