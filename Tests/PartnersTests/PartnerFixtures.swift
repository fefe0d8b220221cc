import Foundation
import Partners
import TestSupport

/// Partners for tests: a deterministic spread over the globe plus the awkward places (the antimeridian, the poles).
func makePartners(count: Int, seed: UInt64 = 1) -> [Partner] {
    var state = seed
    func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    var partners: [Partner] = []
    for i in 0..<count {
        let lon = ((next() * 360 - 180) * 1e5).rounded() / 1e5
        let lat = (asin(next() * 2 - 1) * 180 / .pi * 1e5).rounded() / 1e5
        let theme = Theme.allCases[i % Theme.allCases.count]
        partners.append(Partner(
            id: String(format: "t-%05d", i), name: "Test partner \(i)", type: PartnerType.allCases[i % PartnerType.allCases.count],
            country: ["FR", "KE", "BR", "IN", "US", "FJ"][i % 6], lon: lon, lat: lat, themes: [theme, .policy].uniqued(),
            website: "https://t\(i).example.org", description: ["en": "Partner number \(i) works on \(theme.rawValue)"],
            email: "contact\(i)@t.example.org", created: "2025-01-01T00:00:00Z", updated: "2025-01-01T00:00:00Z"))
    }
    return partners
}

/// Named awkward places.
let awkward: [Partner] = [
    ("east-of-dateline", 179.95, -17.8), ("west-of-dateline", -179.95, -17.9), ("north-pole-a", 0.0, 89.7),
    ("north-pole-b", 180.0, 89.7), ("south-pole", 45.0, -89.9), ("paris", 2.3522, 48.8566), ("versailles", 2.1301, 48.8049),
].map { id, lon, lat in
    Partner(id: id, name: id, type: .ngo, country: "FR", lon: lon, lat: lat, themes: [.mrv], email: "x@\(id).example.org",
            created: "2025-01-01T00:00:00Z", updated: "2025-01-01T00:00:00Z")
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

