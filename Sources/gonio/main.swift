import Foundation
import GonioServer

exit(await GonioCLI.run(Array(CommandLine.arguments.dropFirst())))
