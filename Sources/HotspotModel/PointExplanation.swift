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

    /// Explains one pixel (inputs in model units); nil when any required input is nodata. Computed in double
    /// precision like `BlockScorer`, stored as Float.
    public init?(
        parameters p: ModelParameters, soc: Double, clay: Double, silt: Double?, bulkDensity: Double?,
        tmean: Double, precip: Double, group: LandCoverGroup
    ) {
        let bd = bulkDensity ?? p.bulkDensityDefault
        guard soc >= 0, clay >= 0, (silt ?? 0) >= 0, bd > 0, precip >= 0, tmean.isFinite else { return nil }
        let fine = clay + (silt ?? 0)
        let saturation = SequestrationModel.saturationStockTonnesPerHectare(
            finePercent: fine, bulkDensity: bd, depthCentimetres: p.depthCentimetres)
        let deficit = max(0, saturation - soc)
        let byPrecip = SequestrationModel.nppFromPrecipitation(precip)
        let byTemp = SequestrationModel.nppFromTemperature(tmean)
        let npp = min(byPrecip, byTemp)
        let deficitRate = deficit / p.horizonYears
        let productivityRate = p.rMaxTonnesPerHectareYear * npp / 3000
        let factor = p.manageable[group]
        let w = LossModel.warmingResponse(tmeanDegC: tmean, warmingDegC: p.warmingDegC)
        let lossFraction = min(1, p.vulnerability[group] + p.sensitivity * w)
        finePercent = Float(fine)
        saturationStockTonnesPerHectare = Float(saturation)
        deficitTonnesPerHectare = Float(deficit)
        nppGramsPerSquareMetreYear = Float(npp)
        nppLimitedBy = byPrecip <= byTemp ? "precipitation" : "temperature"
        deficitRateTonnesPerHectareYear = Float(deficitRate)
        productivityRateTonnesPerHectareYear = Float(productivityRate)
        rateLimit = deficitRate <= productivityRate ? .saturationDeficit : .productivity
        landUseFactor = Float(factor)
        rateTonnesPerHectareYear = Float(min(deficitRate, productivityRate) * factor)
        warmingResponse = Float(w)
        vulnerability = Float(p.vulnerability[group])
        self.lossFraction = Float(lossFraction)
        lossTonnesPerHectare = Float(soc * lossFraction)
    }
}
