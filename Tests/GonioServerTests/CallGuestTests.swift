import Foundation
import Fluent
import Testing
import VaporTesting
@testable import GonioServer
@testable import GonioCore

/// A caregiver or an interpreter invited to a video visit: who may invite, one guest at a time,
/// a private link that works until it is withdrawn, and the guest waiting to be let in.
@Suite struct CallGuestTests {
    typealias Browser = WebTests.Browser

    static func token(from link: String) -> String { String(link.split(separator: "/").last ?? "") }

    /// Maria's next video visit without its demo guest (her caregiver, invited by the seed).
    static func visitWithoutGuests(_ app: Application) async throws -> String {
        let visit = try await CallTests.mariasVisit(app)
        let maria = try await app.token(Demo.patient)
        let guests = try await app.send(.GET, "/api/v1/visits/\(visit)/guests", token: maria).array
        #expect(guests.map { $0["name"] as? String } == ["Ana Lopez"], "the demo invites Maria's caregiver")
        for guest in guests {
            #expect(try await app.send(.DELETE, "/api/v1/visits/\(visit)/guests/\(guest["id"] as? String ?? "")", token: maria).status == .noContent)
        }
        return visit
    }

    @Test func whoMayInviteAndOneGuestAtATime() async throws {
        try await withTestApp(history: true) { app in
            let visit = try await Self.visitWithoutGuests(app)
            let maria = try await app.token(Demo.patient)
            let path = "/api/v1/visits/\(visit)/guests"
            // Outsiders cannot see or invite; the visit's own people can.
            for email in [Demo.patient2, Demo.unverified, Demo.platform] {
                let t = try await app.token(email)
                #expect(try await app.send(.POST, path, token: t, json: ["kind": "interpreter", "name": "Luis"]).status == .notFound, "\(email)")
                #expect(try await app.send(.GET, path, token: t).status == .notFound, "\(email)")
            }
            let bad = try await app.send(.POST, path, token: maria, json: ["kind": "interpreter", "name": "  "])
            #expect(bad.status == .unprocessableEntity && bad.errorCode == "guest-name-invalid")
            #expect(try await app.send(.POST, path, token: maria, json: ["kind": "pilot", "name": "Luis"]).status == .unprocessableEntity)
            let invited = try await app.send(.POST, path, token: maria, json: ["kind": "interpreter", "name": "Luis Ortega"])
            #expect(invited.status == .created, "\(invited.text)")
            let link = try #require(invited.object["link"] as? String)
            #expect(link.contains("/join/") && Self.token(from: link).count >= 40)
            // The call holds three: a second guest waits until the first is withdrawn.
            let second = try await app.send(.POST, path, token: maria, json: ["kind": "caregiver", "name": "Rosa"])
            #expect(second.status == .conflict && second.errorCode == "guest-already-invited")
            // The therapist and the caregiver see the guest, never the link again.
            for email in [Demo.therapist, Demo.caregiver, Demo.patient] {
                let list = try await app.send(.GET, path, token: try await app.token(email))
                #expect(list.status == .ok && list.array.count == 1 && list.array.first?["link"] == nil, "\(email)")
            }
            // The guest's page opens with the link, without signing in.
            var guest = Browser(app: app)
            let page = try await guest.get("/join/\(Self.token(from: link))")
            #expect(page.status == .ok && page.text.contains("id=\"call-data\"") && page.text.contains("Luis Ortega"))
            #expect(!page.text.contains("Maria"), "the guest page does not name the patient")
            #expect(try await guest.get("/join/\(String(repeating: "x", count: 43))").status == .notFound)
            // The visit's therapist withdraws it; the link stops working.
            let guestID = try #require(invited.object["id"] as? String)
            #expect(try await app.send(.DELETE, "\(path)/\(guestID)", token: try await app.token(Demo.therapist)).status == .noContent)
            #expect(try await guest.get("/join/\(Self.token(from: link))").status == .notFound)
            // Now a linked caregiver can be invited; she then reaches the call signed in.
            var ana = Browser(app: app)
            try await ana.signIn(Demo.caregiver)
            #expect(try await ana.get("/visits/\(visit)/call").status == .notFound, "not invited yet")
            let anaID = try #require(try await app.me(try await app.token(Demo.caregiver))["id"] as? String)
            let byAccount = try await app.send(.POST, path, token: maria, json: ["kind": "caregiver", "caregiverUserId": anaID])
            #expect(byAccount.status == .created && byAccount.object["link"] == nil && byAccount.object["name"] as? String == "Ana Lopez", "\(byAccount.text)")
            let call = try await ana.get("/visits/\(visit)/call")
            #expect(call.status == .ok && call.text.contains("right now?"))
            // Someone who is not the patient's caregiver cannot be invited by account.
            let dana = try await app.me(try await app.token(Demo.therapist))["id"] as? String ?? ""
            #expect(try await app.send(.DELETE, "\(path)/\(byAccount.object["id"] as? String ?? "")", token: maria).status == .noContent)
            let notLinked = try await app.send(.POST, path, token: maria, json: ["kind": "caregiver", "caregiverUserId": dana])
            #expect(notLinked.status == .unprocessableEntity && notLinked.errorCode == "caregiver-not-linked")
            let entries = try await AuditEntryModel.query(on: app.db).filter(\.$action == "visit.change").all()
            #expect(entries.contains { $0.resource.hasSuffix("/guests") && $0.outcome == .allowed })
        }
    }

    @Test func aGuestWithALinkWaitsAndIsLetIn() async throws {
        try await withTestApp(history: true, adjust: { $0.callEarlyMinutes = 10_080 }) { app in
            let visit = try await Self.visitWithoutGuests(app)
            let invited = try await app.send(.POST, "/api/v1/visits/\(visit)/guests", token: try await app.token(Demo.patient),
                                             json: ["kind": "interpreter", "name": "Luis Ortega"])
            let token = Self.token(from: try #require(invited.object["link"] as? String))
            let danaCookie = try await CallTests.cookie(app, Demo.therapist)
            try await app.running { port in
                let (dana, danaInbox) = try await CallTests.connect(app, port: port, visit: visit, cookie: danaCookie)
                try await CallTests.send(dana, ["type": "join"])
                _ = try await danaInbox.next("welcome")
                let (luis, luisInbox) = try await CallTests.connect(app, port: port, path: "/join/\(token)/signal", cookie: nil)
                try await CallTests.send(luis, ["type": "join"])
                let welcome = try await luisInbox.next("welcome")
                #expect(welcome["admitted"] as? Bool == false && welcome["role"] as? String == "interpreter" && welcome["host"] as? Bool == false)
                let waiting = try await danaInbox.next("waiting")
                let peer = waiting["peer"] as? [String: Any]
                #expect(peer?["name"] as? String == "Luis Ortega" && peer?["role"] as? String == "interpreter")
                // A guest cannot let anyone in or end the visit.
                try await CallTests.send(luis, ["type": "end"])
                #expect(try await luisInbox.next("error")["code"] as? String == "host-only")
                try await CallTests.send(dana, ["type": "admit", "id": peer?["id"] as? String ?? ""])
                _ = try await luisInbox.next("admitted")
                try await CallTests.send(luis, ["type": "chat", "text": "Hola"])
                #expect(try await danaInbox.next("chat")["name"] as? String == "Luis Ortega")
                // Withdrawn, the link no longer opens a socket.
                let guestID = invited.object["id"] as? String ?? ""
                #expect(try await app.send(.DELETE, "/api/v1/visits/\(visit)/guests/\(guestID)", token: try await app.token(Demo.patient)).status == .noContent)
                await #expect(throws: (any Error).self) { _ = try await CallTests.connect(app, port: port, path: "/join/\(token)/signal", cookie: nil) }
                let joins = try await AuditEntryModel.query(on: app.db).filter(\.$action == "visit.join").all()
                #expect(joins.contains { $0.resource.contains("/call/guest/") && $0.$actor.id == nil })
                try? await luis.close()
                try? await dana.close()
            }
        }
    }

    @Test func guestsAreInvitedOnTheVisitsPage() async throws {
        try await withTestApp(history: true) { app in
            let visit = try await Self.visitWithoutGuests(app)
            var maria = Browser(app: app)
            try await maria.signIn(Demo.patient)
            let page = try await maria.get("/visits")
            #expect(page.text.contains("Invite a caregiver or an interpreter") && page.text.contains("Ana Lopez (caregiver, signs in)"))
            let r = try await maria.post("/visits/\(visit)/guests", form: ["who": "link", "name": "Luis Ortega", "kind": "interpreter"],
                                         csrf: Browser.csrf(in: page.text))
            #expect(r.status == .ok && r.text.contains("Luis Ortega is invited") && r.text.contains("/join/"))
            #expect(r.text.contains("Also invited: Luis Ortega (interpreter)"))
            let again = try await maria.post("/visits/\(visit)/guests", form: ["who": "link", "name": "Rosa", "kind": "caregiver"],
                                             csrf: Browser.csrf(in: r.text))
            #expect(again.status == .conflict && again.text.contains("already has a guest"))
            let guests = try await app.send(.GET, "/api/v1/visits/\(visit)/guests", token: try await app.token(Demo.patient)).array
            let guestID = guests.first?["id"] as? String ?? ""
            let removed = try await maria.post("/visits/\(visit)/guests/\(guestID)/remove", form: [:], csrf: Browser.csrf(in: again.text))
            #expect(removed.status == .seeOther)
            #expect(try await app.send(.GET, "/api/v1/visits/\(visit)/guests", token: try await app.token(Demo.patient)).array.isEmpty)
        }
    }
}

extension CallGuestTests {
    @Test func twentyInvitationsAtOnceInviteOneGuest() async throws {
        try await withTestApp(history: true, onDisk: true) { app in
            let visit = try await Self.visitWithoutGuests(app)
            try await app.running { port in
                let tokens = [try await app.token(Demo.patient), try await app.token(Demo.therapist)]
                let statuses = try await ConcurrencyTests.atOnce(20) { i in
                    try await app.live(.POST, port: port, "/api/v1/visits/\(visit)/guests", token: tokens[i % 2],
                                       json: ["kind": "interpreter", "name": "Interpreter \(i)"])
                }
                #expect(statuses.count { $0 == 201 } == 1 && statuses.count { $0 == 409 } == 19, "\(statuses)")
                let active = try await VisitGuestModel.query(on: app.db).filter(\.$visit.$id == UUID(uuidString: visit)!).filter(\.$revokedAt == nil).count()
                #expect(active == 1)
            }
        }
    }
}
