import HotspotConfig
import HotspotModel
import Tiling

/// The languages of the labels: English, French, Spanish (`?lang=` first, then `Accept-Language`, then English).
public enum Language: String, Sendable, CaseIterable {
    case en, fr, es

    /// `lang` as given, or the first supported language of an `Accept-Language` header (quality order); a language
    /// we do not have falls back to English (answers say which in `Content-Language`).
    public static func choose(query: String?, acceptLanguage: String?) -> Language {
        if let query { return Language(rawValue: query.lowercased()) ?? .en }
        guard let acceptLanguage else { return .en }
        let ranked = acceptLanguage.split(separator: ",").enumerated().compactMap { index, part -> (String, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, !tag.isEmpty else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (String(tag.prefix(2)).lowercased(), quality, index)
        }
        return ranked.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }.lazy.compactMap { Language(rawValue: $0.0) }.first
            ?? .en
    }

    public func pick(_ en: String, _ fr: String, _ es: String) -> String {
        switch self {
        case .en: en
        case .fr: fr
        case .es: es
        }
    }

    public func classLabel(_ code: UInt8?) -> String {
        switch code.flatMap(HotspotClass.init(rawValue:)) {
        case .none?: pick("no hotspot", "pas de point chaud", "sin punto crítico")
        case .sequestration?: pick("sequestration hotspot", "point chaud de séquestration", "punto crítico de secuestro")
        case .loss?: pick("loss hotspot", "point chaud de perte", "punto crítico de pérdida")
        case .both?: pick("sequestration and loss hotspot", "point chaud de séquestration et de perte",
                          "punto crítico de secuestro y de pérdida")
        case nil: pick("no data", "pas de données", "sin datos")
        }
    }

    public func groupLabel(_ group: LandCoverGroup?) -> String {
        switch group {
        case .cropland?: pick("cropland", "terres cultivées", "tierras de cultivo")
        case .grassland?: pick("grassland", "prairies", "pastizales")
        case .forest?: pick("forest", "forêt", "bosque")
        case .shrubland?: pick("shrubland", "arbustes", "matorral")
        case .wetland?: pick("wetland", "zone humide", "humedal")
        case .urban?: pick("urban", "zone urbaine", "zona urbana")
        case .bare?: pick("bare land", "sol nu", "suelo desnudo")
        case .water?: pick("water", "eau", "agua")
        case .snowIce?: pick("snow and ice", "neige et glace", "nieve y hielo")
        case nil: pick("no data", "pas de données", "sin datos")
        }
    }

    public var valueRule: String {
        pick("Values are those of the grid pixel that contains the point (as gdallocationinfo reads them), not interpolated.",
             "Les valeurs sont celles du pixel de la grille qui contient le point (comme les lit gdallocationinfo), sans interpolation.",
             "Los valores son los del píxel de la malla que contiene el punto (como los lee gdallocationinfo), sin interpolar.")
    }

    /// The RothC story of a pixel in a few sentences.
    func explanation(_ s: SiteScenarios, managed: Bool, group: String, parameters p: ModelParameters) -> String {
        func n(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
        let input = n(s.equilibriumInput), a = n(s.meanTemperatureModifier), b = n(s.meanMoistureModifier)
        let c = n(s.coverModifier, 1), loss = n(s.loss), warming = n(p.warmingDegC, 1), years = "\(p.horizonYears)"
        let medium = n(s.rate(increase: p.scenarios.medium), 3), share = n(p.scenarios.medium * 100, 0)
        let story = pick(
            "RothC at equilibrium with the observed stock needs \(input) t C/ha/yr of plant inputs; decomposition runs at mean modifiers a = \(a) (temperature), b = \(b) (moisture), c = \(c) (cover). With \(warming) degC of warming it loses \(loss) t C/ha over \(years) years.",
            "RothC à l'équilibre avec le stock observé demande \(input) t C/ha/an d'apports végétaux ; la décomposition suit des modificateurs moyens a = \(a) (température), b = \(b) (humidité), c = \(c) (couvert). Avec \(warming) °C de réchauffement, le sol perd \(loss) t C/ha en \(years) ans.",
            "RothC en equilibrio con el stock observado necesita \(input) t C/ha/año de aportes vegetales; la descomposición sigue modificadores medios a = \(a) (temperatura), b = \(b) (humedad), c = \(c) (cobertura). Con \(warming) °C de calentamiento pierde \(loss) t C/ha en \(years) años.")
        let role = managed
            ? pick(" As \(group), raising the inputs by \(share)% gains \(medium) t C/ha/yr.",
                   " En \(group), augmenter les apports de \(share) % fait gagner \(medium) t C/ha/an.",
                   " Como \(group), aumentar los aportes un \(share) % gana \(medium) t C/ha/año.")
            : pick(" As \(group), it is outside the managed groups: no sequestration scenario applies.",
                   " En \(group), hors des groupes gérés : aucun scénario de séquestration ne s'applique.",
                   " Como \(group), está fuera de los grupos gestionados: no se aplica ningún escenario de secuestro.")
        return story + role
    }

    /// A layer's legend in this language: English keeps the ramp's own words (from `Config/ramps`); French and
    /// Spanish translate the titles, units and class labels the map shows (other words stay as the ramp has them).
    public func legendTexts(layer: String, spec: RampSpec) -> Legend.Texts {
        guard self != .en else { return Legend.Texts(title: spec.name, units: spec.units) }
        return translatedLegendTexts(layer: layer, spec: spec)
    }

    /// The legend of a layer of a run: its words, the run's hotspot threshold marked on a score's bar, and only the
    /// classes the run has pixels in.
    public func legendTexts(layer: String, spec: RampSpec, threshold: Double, emptyClasses: Set<Int>) -> Legend.Texts {
        var texts = legendTexts(layer: layer, spec: spec)
        if layer.hasSuffix("_score") {
            texts.threshold = (threshold, pick("hotspots: \(Legend.format(threshold)) and above",
                                               "points chauds : \(Legend.format(threshold)) et plus",
                                               "puntos críticos: \(Legend.format(threshold)) o más"))
        }
        if layer == "hotspot_class" { texts.omittedClasses = emptyClasses }
        return texts
    }

    private func translatedLegendTexts(layer: String, spec: RampSpec) -> Legend.Texts {
        let titles: [String: (String, String)] = [
            "sequestration_score": ("Score de séquestration", "Puntaje de secuestro"),
            "loss_score": ("Score d’urgence de perte", "Puntaje de urgencia de pérdida"),
            "hotspot_class": ("Classes de points chauds", "Clases de puntos críticos"),
            "sequestration_rate_low": ("Taux de séquestration (faible)", "Tasa de secuestro (baja)"),
            "sequestration_rate_medium": ("Taux de séquestration (moyen)", "Tasa de secuestro (media)"),
            "sequestration_rate_high": ("Taux de séquestration (élevé)", "Tasa de secuestro (alta)"),
            "loss_expected": ("Perte de COS attendue", "Pérdida de COS esperada"),
            "land": ("Terres", "Tierra"),
        ]
        let units: [String: (String, String)] = [
            "percentile (0-100)": ("centile (0-100)", "percentil (0-100)"),
            "percentile": ("centile", "percentil"),
            "t C/ha/yr": ("t C/ha/an", "t C/ha/año"),
            "class": ("classe", "clase"),
        ]
        func choose(_ pair: (String, String)?, _ fallback: String) -> String {
            guard let pair else { return fallback }
            return self == .fr ? pair.0 : pair.1
        }
        var labels: [Int: String] = [:]
        if layer == "hotspot_class" {
            for code in 0...3 {
                let label = classLabel(UInt8(code))
                labels[code] = label.prefix(1).uppercased() + label.dropFirst()
            }
        }
        return Legend.Texts(title: choose(titles[layer], spec.name), units: choose(units[spec.units], spec.units),
                            classLabels: labels, to: pick("to", "à", "a"), orMore: pick("or more", "ou plus", "o más"))
    }
}
