/// The units a layer may declare, and how each turns into the model's units (`value * scale + offset`). A declared
/// unit sets `scale` and `offset` when they are not given; when they are given they must agree with it, so that a
/// configuration cannot say "g/kg" and forget the 0.1.
public enum UnitVocabulary {
    public struct Conversion: Sendable, Equatable {
        public var scale: Double
        public var offset: Double
    }

    /// The units known for a role, with their conversion to the role's model units.
    public static func units(for role: LayerRole) -> [String: Conversion] {
        func c(_ scale: Double, _ offset: Double = 0) -> Conversion { Conversion(scale: scale, offset: offset) }
        switch role {
        case .soc, .socQ05, .socQ95:
            // Stocks over the topsoil. SoilGrids' `ocs` is stored in t/ha (its conversion factor 10 gives kg/m2).
            return ["t C/ha": c(1), "t/ha": c(1), "Mg/ha": c(1), "Mg C/ha": c(1), "0.1 t/ha": c(0.1), "dt/ha": c(0.1),
                    "kg/m2": c(10), "kg C/m2": c(10), "g/m2": c(0.01)]
        case .clay, .silt:
            return ["%": c(1), "g/100g": c(1), "g/kg": c(0.1), "dg/kg": c(0.01)]
        case .coarseFragments:
            // SoilGrids' `cfvo` is stored in cm3/dm3 (per mille).
            return ["%": c(1), "cm3/dm3": c(0.1), "cm3/100cm3": c(1)]
        case .bulkDensity:
            // SoilGrids' `bdod` is stored in cg/cm3.
            return ["g/cm3": c(1), "kg/dm3": c(1), "Mg/m3": c(1), "t/m3": c(1), "cg/cm3": c(0.01), "kg/m3": c(0.001)]
        case .tmean:
            return ["degC": c(1), "°C": c(1), "C": c(1), "0.1 degC": c(0.1), "K": c(1, -273.15), "0.1 K": c(0.1, -273.15)]
        case .precip, .pet:
            return ["mm/month": c(1), "mm": c(1), "0.1 mm/month": c(0.1), "0.1 mm": c(0.1), "kg/m2/month": c(1)]
        case .landcover:
            return ["class": c(1)]
        }
    }

    /// Annual units, refused for monthly layers with a sentence saying what is needed.
    static let annual: Set<String> = ["mm/yr", "mm/year", "mm/a", "mm yr-1"]
}
