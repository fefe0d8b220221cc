#!/usr/bin/python3
"""Geodesic distances on WGS84, computed independently of the server (test oracle).

Usage: geodesic_oracle.py < {"pairs": [[lon1, lat1, lon2, lat2], ...]}  ->  {"distances_m": [...], "method": ...}
Degrees in, metres out, one distance per pair, in order.

With pyproj importable, the distances are pyproj.Geod(ellps="WGS84").inv (PROJ's implementation of Karney 2013,
accurate to nanometres). Otherwise they come from the pure-Python code below:

* Vincenty's inverse formula (Survey Review 1975), the longitude on the auxiliary sphere iterated until it changes
  by less than 1e-12 rad. Its series are good to about 0.1 mm, so the distances are accurate to well under 1 m
  (in practice under 1 mm) for every pair except near-antipodal ones, where the iteration converges slowly or not at
  all.
* For those (no convergence in 200 iterations, or the iterate leaving [-pi, pi]) a fallback: after Karney's reduction
  to lat1 <= 0, |lat2| <= |lat1|, 0 <= lon12 <= 180, the ellipsoidal longitude difference reached by the geodesic
  leaving point 1 at azimuth alp1 is an increasing function of alp1 on [0, pi] (from 0 to pi); alp1 is found by
  bisection and the distance is Vincenty's series along that geodesic (both points on the equator and less than
  (1 - f) 180 degrees apart: the equator itself). Against PROJ's `geod -I +ellps=WGS84` (Karney) on 6000 pairs, 2700
  of them near-antipodal and sent to this fallback, every distance agreed to geod's printed millimetre. Still, near
  exact antipodes many geodesics are almost equally short and the solution is ill-conditioned: count on about a metre
  there, not less, and keep tests away from near-antipodal pairs unless pyproj is there.

Checks: (0,0)-(1,0) 111319.491 m; Paris (2.3522, 48.8566)-New York (-74.0060, 40.7128) 5837.2 km;
(179.9, 0)-(-179.9, 0) 22263.898 m.
"""
import json
import math
import sys

A = 6378137.0
F = 1 / 298.257223563
B = A * (1 - F)
EP2 = (A * A - B * B) / (B * B)  # second eccentricity squared
TOL = 1e-12
MAX_ITER = 200


def _series(cos2_alpha, sin_sigma, cos_sigma, sigma, cos_2sigma_m):
    """Vincenty: (the distance for this sigma, the longitude correction factor pieces)."""
    u2 = cos2_alpha * EP2
    big_a = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    big_b = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    d_sigma = big_b * sin_sigma * (cos_2sigma_m + big_b / 4 * (
        cos_sigma * (-1 + 2 * cos_2sigma_m ** 2)
        - big_b / 6 * cos_2sigma_m * (-3 + 4 * sin_sigma ** 2) * (-3 + 4 * cos_2sigma_m ** 2)))
    return B * big_a * (sigma - d_sigma)


def _lon_correction(sin_alpha, cos2_alpha, sin_sigma, cos_sigma, sigma, cos_2sigma_m):
    """Vincenty: omega - L, the sphere's longitude minus the ellipsoid's."""
    c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
    return (1 - c) * F * sin_alpha * (sigma + c * sin_sigma * (
        cos_2sigma_m + c * cos_sigma * (-1 + 2 * cos_2sigma_m ** 2)))


def _reduced(lat_deg):
    """sin and cos of the reduced latitude, exact at the poles."""
    phi = math.radians(lat_deg)
    sb, cb = (1 - F) * math.sin(phi), math.cos(phi)
    n = math.hypot(sb, cb)
    return sb / n, cb / n


def _lon_diff(lon1, lon2):
    d = math.fmod(lon2 - lon1, 360.0)
    if d > 180:
        d -= 360
    elif d < -180:
        d += 360
    return d


def vincenty(lon1, lat1, lon2, lat2):
    """Vincenty's inverse: the distance in metres, or None when the iteration does not converge."""
    lam_e = math.radians(_lon_diff(lon1, lon2))
    su1, cu1 = _reduced(lat1)
    su2, cu2 = _reduced(lat2)
    lam = lam_e
    for _ in range(MAX_ITER):
        sl, cl = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
        if sin_sigma == 0:
            return 0.0  # the same point
        cos_sigma = su1 * su2 + cu1 * cu2 * cl
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cu1 * cu2 * sl / sin_sigma
        cos2_alpha = 1 - sin_alpha ** 2
        cos_2sigma_m = cos_sigma - 2 * su1 * su2 / cos2_alpha if cos2_alpha != 0 else 0.0  # equatorial line
        lam_new = lam_e + _lon_correction(sin_alpha, cos2_alpha, sin_sigma, cos_sigma, sigma, cos_2sigma_m)
        if abs(lam_new) > math.pi:
            return None
        done = abs(lam_new - lam) < TOL
        lam = lam_new
        if done:
            sl, cl = math.sin(lam), math.cos(lam)
            sin_sigma = math.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
            cos_sigma = su1 * su2 + cu1 * cu2 * cl
            sigma = math.atan2(sin_sigma, cos_sigma)
            sin_alpha = cu1 * cu2 * sl / sin_sigma if sin_sigma else 0.0
            cos2_alpha = 1 - sin_alpha ** 2
            cos_2sigma_m = cos_sigma - 2 * su1 * su2 / cos2_alpha if cos2_alpha != 0 else 0.0
            return _series(cos2_alpha, sin_sigma, cos_sigma, sigma, cos_2sigma_m)
    return None


def _along(alp1, sb1, cb1, sb2, cb2):
    """Follows the geodesic leaving (beta1, lon 0) at azimuth alp1 to where it first crosses beta2 going north.

    Returns (ellipsoidal longitude reached, distance). Assumes beta1 <= 0 and |beta2| <= |beta1| (Karney 2013, sec. 4),
    so that such a crossing exists for every alp1 in [0, pi].
    """
    sa1, ca1 = math.sin(alp1), math.cos(alp1)
    sa0 = sa1 * cb1  # Clairaut
    ca0 = math.hypot(ca1, sa1 * sb1)
    # Point 1 and point 2 on the auxiliary sphere, angles from the equator crossing (node).
    ssig1, csig1 = sb1, ca1 * cb1
    somg1, comg1 = sa0 * sb1, ca1 * cb1
    if cb2 != cb1 or abs(sb2) != -sb1:
        ca2 = math.sqrt(max(0.0, (ca1 * cb1) ** 2 + (cb2 - cb1) * (cb1 + cb2))) / cb2
    else:
        ca2 = abs(ca1)
    ssig2, csig2 = sb2, ca2 * cb2
    somg2, comg2 = sa0 * sb2, ca2 * cb2
    sig1 = math.atan2(ssig1, csig1)
    sig12 = math.atan2(max(0.0, csig1 * ssig2 - ssig1 * csig2), csig1 * csig2 + ssig1 * ssig2)
    omg12 = math.atan2(max(0.0, comg1 * somg2 - somg1 * comg2), comg1 * comg2 + somg1 * somg2)
    cos2_alpha = ca0 * ca0
    cos_2sigma_m = math.cos(2 * sig1 + sig12)  # 2 sigma_m = sigma1 + sigma2 (from the node)
    s, c = math.sin(sig12), math.cos(sig12)
    lon = omg12 - _lon_correction(sa0, cos2_alpha, s, c, sig12, cos_2sigma_m)
    return lon, _series(cos2_alpha, s, c, sig12, cos_2sigma_m)


def bisection(lon1, lat1, lon2, lat2):
    """The near-antipodal fallback: bisection on the azimuth at point 1 (see the module docstring)."""
    # Karney's canonical form: |lat1| >= |lat2|, lat1 <= 0, 0 <= lon12 <= 180 (the distance is unchanged).
    if abs(lat2) > abs(lat1):
        lon1, lat1, lon2, lat2 = lon2, lat2, lon1, lat1
    if lat1 > 0:
        lat1, lat2 = -lat1, -lat2
    lam12 = abs(math.radians(_lon_diff(lon1, lon2)))
    if lat1 == 0 and lam12 <= (1 - F) * math.pi:
        return A * lam12  # along the equator (both points on it), the shortest path up to (1 - f) * 180 degrees
    sb1, cb1 = _reduced(lat1)
    sb2, cb2 = _reduced(lat2)
    lo, hi = 0.0, math.pi
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if _along(mid, sb1, cb1, sb2, cb2)[0] < lam12:
            lo = mid
        else:
            hi = mid
    return _along((lo + hi) / 2, sb1, cb1, sb2, cb2)[1]


def distance(lon1, lat1, lon2, lat2):
    d = vincenty(lon1, lat1, lon2, lat2)
    return bisection(lon1, lat1, lon2, lat2) if d is None else d


def main():
    pairs = json.load(sys.stdin)["pairs"]
    try:
        from pyproj import Geod
    except ImportError:
        out = [distance(*map(float, p)) for p in pairs]
        method = "vincenty"
    else:
        geod = Geod(ellps="WGS84")
        out = [geod.inv(*map(float, p))[2] for p in pairs]
        method = "pyproj"
    json.dump({"distances_m": out, "method": method}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
