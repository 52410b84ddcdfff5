import Vapor
import GonioCore

/// One page of a list in the JSON API: `{"items": [...], "metadata": {"page", "per", "total"}}`.
struct Paginated<Item: Content>: Content {
    struct Metadata: Content {
        var page: Int
        var per: Int
        var total: Int
    }

    var items: [Item]
    var metadata: Metadata

    init(items: [Item], page: ListPage, total: Int) {
        self.items = items
        metadata = Metadata(page: page.page, per: page.per, total: total)
    }
}
