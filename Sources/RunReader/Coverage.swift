import Foundation
import Partners
import Synchronization

extension RunReader {
    /// Which of the run's hotspot pixels (of the classes `className` names) have a partner within `radiusKm`, and
    /// where the uncovered ones are. Computing it reads the class raster, so answers are kept per class, radius and
    /// directory version for the life of the run.
    public func coverage(className: String, radiusKm: Double, partners: PartnerIndex) throws(ReadError) -> HotspotCoverage {
        guard let codes = HotspotCoverage.codes(forClass: className) else {
            throw .badParameter("class", "class must be sequestration, loss, both or any")
        }
        let key = "\(className)|\(radiusKm)|\(partners.version)"
        if let known = coverages.withLock({ $0[key] }) { return known }
        let areas = try self.areas
        let made: HotspotCoverage
        do {
            made = try HotspotCoverage(classRaster: path(of: .hotspotClass), codes: codes, partners: partners.partners,
                                       radiusKm: radiusKm, areas: areas)
        } catch {
            throw .failed("the hotspot classes of run \(runID) cannot be read: \(error)")
        }
        coverages.withLock { cache in
            if cache.count > 64 { cache.removeAll() }
            cache[key] = made
        }
        return made
    }
}
