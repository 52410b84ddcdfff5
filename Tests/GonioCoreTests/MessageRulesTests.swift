import Testing
@testable import GonioCore

@Suite struct MessageRulesTests {
    @Test func aMessageIsTextOrAPhotoOfTheKindItSays() throws {
        #expect(try MessageDraft(body: "  Hello \n").validated().body == "Hello")
        #expect(throws: DomainError.self) { _ = try MessageDraft(body: " ").validated() }
        #expect(throws: DomainError.self) { _ = try MessageDraft(body: "bell \u{07}").validated() }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1]
        #expect(try MessageDraft(body: "", attachment: .init(mediaType: "image/png", bytes: png)).validated().attachment != nil)
        #expect(throws: DomainError.self) { _ = try MessageDraft(body: "", attachment: .init(mediaType: "image/jpeg", bytes: png)).validated() }
        #expect(MessageDraft.sniff([0xFF, 0xD8, 0xFF, 0xDB]) == "image/jpeg")
        #expect(MessageDraft.sniff(Array("RIFF1234WEBPVP8 ".utf8)) == "image/webp")
        #expect(MessageDraft.sniff(Array("%PDF-1.7".utf8)) == nil)
        #expect(throws: DomainError.self) { _ = try MessageDraft(body: "x", reference: .exercise("../etc")).validated() }
    }

    @Test func responseTimesCountFromTheFirstUnansweredMessage() {
        let t: [ResponseTimes.Sent] = [
            .init(thread: "a", at: 0, fromCareTeam: false), .init(thread: "a", at: 600, fromCareTeam: false),
            .init(thread: "a", at: 3600, fromCareTeam: true), .init(thread: "a", at: 4000, fromCareTeam: true),
            .init(thread: "b", at: 100, fromCareTeam: false), .init(thread: "b", at: 100 + 7200, fromCareTeam: true),
            .init(thread: "b", at: 9000, fromCareTeam: false),
        ]
        let waits = ResponseTimes.waits(t)
        #expect(waits == [3600, 7200])
        #expect(ResponseTimes.median(waits) == 5400)
        #expect(ResponseTimes.words(5400) == "1 h 30 min" && ResponseTimes.words(600) == "10 min" && ResponseTimes.words(3 * 86_400) == "3 days")
    }
}
