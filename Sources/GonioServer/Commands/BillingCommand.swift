import ArgumentParser
import Foundation
import GonioCore

/// `gonio billing units --payer medicare|commercial --minutes 97110=23,97112=24`: the timed
/// units a visit's minutes support (the 8-minute rule for Medicare, per-code rounding for a
/// commercial payer). Prints `{"totalUnits":3,"units":{"97110":1,"97112":2}}`; bad input exits 2.
struct BillingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing", abstract: "Billing rules for scripts and checks (JSON out).", subcommands: [Units.self])

    func run() throws {
        throw CommandFailure.input("choose what to do: 'gonio billing units --payer medicare --minutes 97110=23' (see 'gonio billing --help').")
    }

    struct Units: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Units for timed CPT codes from their minutes.")

        @Option(name: .long, help: "medicare (and medicaid: the 8-minute rule) or commercial (each code rounded on its own).")
        var payer: String

        @Option(name: .long, help: "Minutes per timed code: 97110=23,97112=24.")
        var minutes: String

        struct Output: Encodable {
            var totalUnits: Int
            var units: [String: Int]
        }

        func run() throws {
            guard let kind = PayerKind(rawValue: payer), kind != .selfPay else {
                throw CommandFailure.input("--payer is medicare, medicaid or commercial.")
            }
            do {
                let result = try TimedUnits.units(try TimedUnits.parseMinutes(minutes), method: kind.defaultUnitMethod)
                let units = Dictionary(uniqueKeysWithValues: result.units.map { ($0.key.rawValue, $0.value) })
                CommandOutput.current.line(try ClinicalOutput.json(Output(totalUnits: result.totalUnits, units: units)))
            } catch let error as DomainError {
                throw CommandFailure.input(error.message)
            }
        }
    }
}

/// `gonio rtm codes --year 2026 --days 16 --minutes 20 --interactive true`: the remote
/// therapeutic monitoring codes a period supports by the year's rules. Prints
/// `{"device":"98977","management":["98980"]}` (`device` null when none); bad input exits 2.
struct RTMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtm", abstract: "Remote therapeutic monitoring codes (JSON out).", subcommands: [Codes.self])

    func run() throws {
        throw CommandFailure.input("choose what to do: 'gonio rtm codes --year 2026 --days 16 --minutes 20 --interactive true'.")
    }

    struct Codes: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Device and management codes for a period's days of data and a month's minutes.")

        @Option(name: .long, help: "The year of service (its rules apply).")
        var year: Int
        @Option(name: .long, help: "Days with qualifying data in the 30-day period (0-30).")
        var days: Int
        @Option(name: .long, help: "Treatment-management minutes in the calendar month.")
        var minutes: Int
        @Option(name: .long, help: "true if a real-time interactive communication took place in the month.")
        var interactive: String

        struct Output: Encodable {
            var device: String?
            var management: [String]

            enum CodingKeys: String, CodingKey { case device, management }

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(device, forKey: .device)  // null, not left out
                try c.encode(management, forKey: .management)
            }
        }

        func run() throws {
            guard let live = ["true": true, "false": false][interactive.lowercased()] else {
                throw CommandFailure.input("--interactive is true or false.")
            }
            do {
                let codes = try RTMCodes.codes(year: year, days: days, minutes: minutes, interactive: live)
                CommandOutput.current.line(try ClinicalOutput.json(Output(device: codes.device, management: codes.management)))
            } catch let error as DomainError {
                throw CommandFailure.input(error.message)
            }
        }
    }
}
