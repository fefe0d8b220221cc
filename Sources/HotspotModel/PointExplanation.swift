/// Which term limits the attainable sequestration rate.
public enum RateLimit: String, Sendable, Codable {
    /// The saturation deficit spread over the horizon is smaller than what productivity allows.
    case saturationDeficit = "saturation_deficit"
    /// Plant inputs (Miami NPP) limit the rate.
    case productivity
}

/// Every intermediate term of the model at one pixel, so that a researcher can see why the scores are what they are.
public struct PointExplanation: Sendable, Equatable {
    public var finePercent: Float
    public var saturationStockTonnesPerHectare: Float
    public var deficitTonnesPerHectare: Float
    public var nppGramsPerSquareMetreYear: Float
    public var nppLimitedBy: String
    public var deficitRateTonnesPerHectareYear: Float
    public var productivityRateTonnesPerHectareYear: Float
    public var rateLimit: RateLimit
    public var landUseFactor: Float
    public var rateTonnesPerHectareYear: Float
    public var warmingResponse: Float
    public var vulnerability: Float
    public var lossFraction: Float
    public var lossTonnesPerHectare: Float

    /// Explains one pixel; nil when any required input is nodata.
    public init?(
        parameters p: ModelParameters, soc: Float, clay: Float, silt: Float?, bulkDensity: Float?,
        tmean: Float, precip: Float, group: LandCoverGroup
    ) {
        let bd = bulkDensity ?? p.bulkDensityDefault
        guard soc >= 0, clay >= 0, (silt ?? 0) >= 0, bd > 0, precip >= 0, tmean.isFinite else { return nil }
        finePercent = clay + (silt ?? 0)
        saturationStockTonnesPerHectare = SequestrationModel.saturationStockTonnesPerHectare(
            finePercent: finePercent, bulkDensity: bd, depthCentimetres: p.depthCentimetres)
        deficitTonnesPerHectare = max(0, saturationStockTonnesPerHectare - soc)
        let byPrecip = SequestrationModel.nppFromPrecipitation(precip)
        let byTemp = SequestrationModel.nppFromTemperature(tmean)
        nppGramsPerSquareMetreYear = min(byPrecip, byTemp)
        nppLimitedBy = byPrecip <= byTemp ? "precipitation" : "temperature"
        deficitRateTonnesPerHectareYear = deficitTonnesPerHectare / p.horizonYears
        productivityRateTonnesPerHectareYear = p.rMaxTonnesPerHectareYear * nppGramsPerSquareMetreYear / 3000
        rateLimit = deficitRateTonnesPerHectareYear <= productivityRateTonnesPerHectareYear
            ? .saturationDeficit : .productivity
        landUseFactor = p.manageable[group]
        rateTonnesPerHectareYear = min(deficitRateTonnesPerHectareYear, productivityRateTonnesPerHectareYear)
            * landUseFactor
        warmingResponse = LossModel.warmingResponse(tmeanDegC: tmean, warmingDegC: p.warmingDegC)
        vulnerability = p.vulnerability[group]
        lossFraction = min(1, vulnerability + p.sensitivity * warmingResponse)
        lossTonnesPerHectare = soc * lossFraction
    }
}
