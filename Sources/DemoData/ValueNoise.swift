#if canImport(Glibc)
import Glibc
#endif

/// Smooth deterministic noise on the sphere's lon/lat plane: hashed lattice values, bilinearly interpolated, summed
/// over octaves. Periodic in longitude so that maps join at the antimeridian.
struct ValueNoise: Sendable {
    let seed: UInt64
    /// Lattice cell sizes in degrees (each must divide 360) and their weights.
    let octaves: [(cellDegrees: Double, weight: Double)]

    init(seed: UInt64, salt: UInt64, octaves: [(Double, Double)] = [(20, 0.5), (6, 0.3), (2, 0.15), (0.5, 0.05)]) {
        self.seed = seed &* 0x9E37_79B9_7F4A_7C15 &+ salt &* 0xBF58_476D_1CE4_E5B9
        self.octaves = octaves.map { (cellDegrees: $0.0, weight: $0.1) }
    }

    @inline(__always)
    private func lattice(_ i: Int, _ j: Int) -> Double {
        var z = seed ^ (UInt64(bitPattern: Int64(i)) &* 0x94D0_49BB_1331_11EB) ^ (UInt64(bitPattern: Int64(j)) &* 0xD6E8_FEB8_6659_FD93)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) * 2 - 1
    }

    /// Noise in about [-1, 1] at a longitude and latitude (degrees).
    func value(lon: Double, lat: Double) -> Double {
        var sum = 0.0
        for octave in octaves {
            let period = Int((360 / octave.cellDegrees).rounded())
            let x = (lon + 180) / octave.cellDegrees, y = (lat + 90) / octave.cellDegrees
            let x0 = floor(x), y0 = floor(y)
            let fx = x - x0, fy = y - y0
            // Smoothstep weights: continuous slopes across cells.
            let sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy)
            let i0 = ((Int(x0) % period) + period) % period, i1 = (i0 + 1) % period
            let j0 = Int(y0), j1 = j0 + 1
            let top = lattice(i0, j0) + (lattice(i1, j0) - lattice(i0, j0)) * sx
            let bottom = lattice(i0, j1) + (lattice(i1, j1) - lattice(i0, j1)) * sx
            sum += octave.weight * (top + (bottom - top) * sy)
        }
        return sum
    }
}
