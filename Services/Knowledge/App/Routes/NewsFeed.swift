import Foundation
import ServiceKit

/// The RSS 2.0 feed of a brand's news, as a plain function: channel title, link and description (the required
/// elements), its language when the feed is for one, and per item title, link, description (the summary),
/// permalink guid and RFC 822 pubDate.
public enum NewsFeed {
    public struct Channel: Sendable {
        public var title: String
        /// The portal's news page.
        public var link: String
        /// This feed's own URL (atom:link rel="self").
        public var feedURL: String
        public var description: String
        public var language: String?
    }

    public static func rss(_ channel: Channel, items: [Article], origin: String) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">"# + "\n<channel>\n"
        xml += "<title>\(SafeHTML.escape(channel.title))</title>\n"
        xml += "<link>\(SafeHTML.escape(channel.link))</link>\n"
        xml += "<description>\(SafeHTML.escape(channel.description))</description>\n"
        xml += #"<atom:link href="\#(SafeHTML.escape(channel.feedURL))" rel="self" type="application/rss+xml"/>"# + "\n"
        if let language = channel.language { xml += "<language>\(SafeHTML.escape(language))</language>\n" }
        if let newest = items.map(\.publishedAt).max() { xml += "<lastBuildDate>\(rfc822(newest))</lastBuildDate>\n" }
        for item in items {
            let link = origin + PortalPages.path(item)
            let description = item.summary.isEmpty ? String(item.bodyText.prefix(300)) : item.summary
            xml += "<item>\n"
            xml += "<title>\(SafeHTML.escape(item.title))</title>\n"
            xml += "<link>\(SafeHTML.escape(link))</link>\n"
            xml += "<description>\(SafeHTML.escape(description))</description>\n"
            xml += #"<guid isPermaLink="true">\#(SafeHTML.escape(link))</guid>"# + "\n"
            xml += "<pubDate>\(rfc822(item.publishedAt))</pubDate>\n"
            xml += "</item>\n"
        }
        return xml + "</channel>\n</rss>\n"
    }

    /// "Tue, 01 Dec 2026 09:30:00 +0000", as RSS 2.0 wants dates.
    static func rfc822(_ date: Date) -> String {
        date.formatted(
            Date.VerbatimFormatStyle(
                format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) +0000",
                locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "UTC") ?? .gmt, calendar: Calendar(identifier: .gregorian)))
    }
}
