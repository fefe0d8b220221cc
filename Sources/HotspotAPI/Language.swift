import HotspotConfig
import HotspotModel
import Tiling

/// The languages of the labels: English, French, Spanish (`?lang=` first, then `Accept-Language`, then English).
public enum Language: String, Sendable, CaseIterable {
    case en, fr, es

    /// `lang` as given, or the first supported language of an `Accept-Language` header (quality order).
    public static func choose(query: String?, acceptLanguage: String?) throws(Problem) -> Language {
        if let query {
            guard let language = Language(rawValue: query.lowercased()) else {
                throw .badParameter("lang", "lang must be one of en, fr, es (got '\(query)')")
            }
            return language
        }
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

    func pick(_ en: String, _ fr: String, _ es: String) -> String {
        switch self {
        case .en: en
        case .fr: fr
        case .es: es
        }
    }

    func classLabel(_ code: UInt8?) -> String {
        switch code.flatMap(HotspotClass.init(rawValue:)) {
        case .none?: pick("no hotspot", "pas de point chaud", "sin punto crítico")
        case .sequestration?: pick("sequestration hotspot", "point chaud de séquestration", "punto crítico de secuestro")
        case .loss?: pick("loss hotspot", "point chaud de perte", "punto crítico de pérdida")
        case .both?: pick("sequestration and loss hotspot", "point chaud de séquestration et de perte",
                          "punto crítico de secuestro y de pérdida")
        case nil: pick("no data", "pas de données", "sin datos")
        }
    }

    func groupLabel(_ group: LandCoverGroup?) -> String {
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

    var valueRule: String {
        pick("Values are those of the grid pixel that contains the point (as gdallocationinfo reads them), not interpolated.",
             "Les valeurs sont celles du pixel de la grille qui contient le point (comme les lit gdallocationinfo), sans interpolation.",
             "Los valores son los del píxel de la malla que contiene el punto (como los lee gdallocationinfo), sin interpolar.")
    }

    func explanation(limit: RateLimit, factor: Double, warming: Double, lossFraction: Double) -> String {
        let f = String(format: "%.2f", factor), w = String(format: "%.3f", warming),
            l = String(format: "%.0f", lossFraction * 100)
        switch limit {
        case .saturationDeficit:
            return pick(
                "The rate is limited by the saturation deficit (the soil is close to its mineral-associated carbon capacity); land-use factor \(f); warming response \(w); \(l)% of the stock at risk over the horizon.",
                "Le taux est limité par le déficit de saturation (le sol approche sa capacité de stockage associée aux minéraux) ; facteur d'usage \(f) ; réponse au réchauffement \(w) ; \(l) % du stock menacé sur l'horizon.",
                "La tasa está limitada por el déficit de saturación (el suelo se acerca a su capacidad de carbono asociado a minerales); factor de uso \(f); respuesta al calentamiento \(w); \(l) % del stock en riesgo en el horizonte.")
        case .productivity:
            return pick(
                "The rate is limited by productivity (net primary production from climate); land-use factor \(f); warming response \(w); \(l)% of the stock at risk over the horizon.",
                "Le taux est limité par la productivité (production primaire nette due au climat) ; facteur d'usage \(f) ; réponse au réchauffement \(w) ; \(l) % du stock menacé sur l'horizon.",
                "La tasa está limitada por la productividad (producción primaria neta según el clima); factor de uso \(f); respuesta al calentamiento \(w); \(l) % del stock en riesgo en el horizonte.")
        }
    }

    /// A layer's legend in this language: English keeps the ramp's own words (from `Config/ramps`); French and
    /// Spanish translate the titles, units and class labels the map shows (other words stay as the ramp has them).
    func legendTexts(layer: String, spec: RampSpec) -> Legend.Texts {
        guard self != .en else { return Legend.Texts(title: spec.name, units: spec.units) }
        let titles: [String: (String, String)] = [
            "sequestration_score": ("Score de séquestration", "Puntaje de secuestro"),
            "loss_score": ("Score d’urgence de perte", "Puntaje de urgencia de pérdida"),
            "hotspot_class": ("Classes de points chauds", "Clases de puntos críticos"),
            "sequestration_rate": ("Taux de séquestration", "Tasa de secuestro"),
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
