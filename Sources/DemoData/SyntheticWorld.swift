#if canImport(Glibc)
import Glibc
#endif
import HotspotModel

/// The synthetic world the demo layers sample: climate from latitude plus noise, land cover from climate, soil from
/// climate and land cover. Plausible, not real: temperature falls with latitude, the tropics and storm tracks are wet,
/// the subtropics dry, SOC is high where it is cold and wet and in peatlands.
struct SyntheticWorld: Sendable {
    let climateNoise: ValueNoise
    let rainNoise: ValueNoise
    let coverNoise: ValueNoise
    let patchNoise: ValueNoise
    let soilNoise: ValueNoise
    let textureNoise: ValueNoise

    init(seed: UInt64) {
        climateNoise = ValueNoise(seed: seed, salt: 1)
        rainNoise = ValueNoise(seed: seed, salt: 2)
        coverNoise = ValueNoise(seed: seed, salt: 3)
        patchNoise = ValueNoise(seed: seed, salt: 4, octaves: [(1, 0.6), (0.25, 0.4)])
        soilNoise = ValueNoise(seed: seed, salt: 5)
        textureNoise = ValueNoise(seed: seed, salt: 6)
    }

    /// Mean annual air temperature, degC.
    func tmean(lon: Double, lat: Double) -> Double {
        let c = cos(lat * .pi / 180)
        return -20 + 47 * pow(c, 1.4) + 5 * climateNoise.value(lon: lon, lat: lat)
    }

    /// Annual precipitation, mm/yr.
    func precip(lon: Double, lat: Double) -> Double {
        let a = abs(lat)
        let itcz = 2300 * exp(-pow(lat / 11, 2))
        let stormTracks = 850 * exp(-pow((a - 50) / 13, 2))
        let drySubtropics = 1 - 0.8 * exp(-pow((a - 24) / 8, 2))
        let base = (itcz + stormTracks + 250) * drySubtropics
        return max(20, base * exp(0.6 * rainNoise.value(lon: lon, lat: lat)))
    }

    /// Monthly mean temperatures (degC, January first): the annual mean plus a seasonal swing that grows towards the
    /// poles and peaks in July in the north, January in the south.
    func monthlyTmean(lon: Double, lat: Double) -> Monthly {
        let annual = tmean(lon: lon, lat: lat)
        let swing = (1.5 + 17 * pow(min(abs(lat), 75) / 75, 1.3)) * (0.8 + 0.2 * climateNoise.value(lon: lon + 45, lat: lat))
        let peak = lat >= 0 ? 6.0 : 0.0
        var out = Monthly()
        for m in 0..<12 { out[m] = annual + swing * cos(2 * .pi * (Double(m) - peak) / 12) }
        return out
    }

    /// Monthly precipitation (mm/month): the annual total spread with a summer monsoon near 15 degrees and dry
    /// Mediterranean summers near 37 degrees.
    func monthlyPrecip(lon: Double, lat: Double) -> Monthly {
        let annual = precip(lon: lon, lat: lat), a = abs(lat)
        let monsoon = 0.9 * exp(-pow((a - 15) / 8, 2)), mediterranean = 0.85 * exp(-pow((a - 37) / 6, 2))
        let peak = lat >= 0 ? 6.0 : 0.0
        var weights = Monthly()
        for m in 0..<12 {
            weights[m] = max(0.02, 1 + (monsoon - mediterranean) * cos(2 * .pi * (Double(m) - peak) / 12))
        }
        return weights * (annual / weights.sum())
    }

    /// Monthly potential evapotranspiration (mm/month), Thornthwaite's from the monthly temperatures.
    func monthlyPET(lon: Double, lat: Double) -> Monthly {
        Thornthwaite.pet(tmean: monthlyTmean(lon: lon, lat: lat), latitude: lat)
    }

    /// An ESA CCI land-cover code for a land point (`isLand`), water otherwise.
    func landcover(lon: Double, lat: Double, mask: UInt8) -> UInt8 {
        guard mask == 1 else { return 210 }
        let t = tmean(lon: lon, lat: lat), p = precip(lon: lon, lat: lat)
        let n = coverNoise.value(lon: lon, lat: lat), patch = patchNoise.value(lon: lon, lat: lat)
        if patch > 0.72 { return 190 }  // towns
        if t < -11 { return 220 }
        if p < 200 { return n > 0.3 ? 150 : 200 }
        if t < -4 { return patch < -0.4 ? 180 : (n > 0 ? 140 : 153) }  // tundra with mires
        if p < 450 { return n > 0.25 ? 10 : (n > -0.2 ? 130 : 120) }
        if t < 4 { return patch < -0.45 ? 180 : (n > 0.35 ? 130 : (n > -0.1 ? 70 : 80)) }  // boreal with peat
        if t > 20 && p > 1600 {
            if patch < -0.5 { return lat.magnitude < 12 && n < -0.2 ? 170 : 160 }  // flooded forest, mangroves
            return n > 0.3 ? (p > 2200 ? 20 : 10) : 50
        }
        if n > 0.15 { return patch > 0 ? 10 : 30 }
        if n > -0.1 { return 130 }
        return p > 900 ? 60 : 120
    }

    /// SOC stock 0-30 cm, t C/ha, given the land-cover code there.
    func soc(lon: Double, lat: Double, code: UInt8) -> Double {
        let t = tmean(lon: lon, lat: lat), p = precip(lon: lon, lat: lat)
        let wet = p / (p + 600), cold = exp(-(t + 5) / 35)
        var factor: Double
        switch code {
        case 160, 170, 180: factor = 3.2  // peat and mangrove soils
        case 10, 11, 12, 20, 30: factor = 0.72  // cultivated: below native stocks
        case 150, 152, 153, 200, 201, 202: factor = 0.35
        case 190: factor = 0.6
        case 220: factor = 0.2
        default: factor = 1
        }
        return max(2, (12 + 95 * wet * cold) * factor * exp(0.18 * soilNoise.value(lon: lon, lat: lat)))
    }

    /// Clay and silt contents, % mass. Sandy regions (dunes, outwash plains, podzols) have little fine earth, so
    /// their SOC is close to saturation and the deficit, not productivity, limits the rate there.
    func texture(lon: Double, lat: Double) -> (clay: Double, silt: Double) {
        let tropical = exp(-pow(lat / 20, 2))
        let sandy = min(0.85, max(0, 2.5 * (textureNoise.value(lon: -lon, lat: lat + 30) - 0.05)))
        let clay = min(60, max(2, (20 + 14 * tropical + 14 * textureNoise.value(lon: lon, lat: lat)) * (1 - sandy)))
        let silt = min(95 - clay, max(3, (32 + 14 * textureNoise.value(lon: lon + 90, lat: -lat)) * (1 - 0.8 * sandy)))
        return (clay, silt)
    }
}
