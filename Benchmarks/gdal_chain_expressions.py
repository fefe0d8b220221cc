#!/usr/bin/python3
"""Prints the gdal_calc.py expressions of DESIGN.md's model (the GDAL peer chain of Benchmarks/pipeline.sh).

Inputs: A soc (0.1 t/ha, scale 0.1), B clay (g/kg, scale 0.1), C silt (g/kg, scale 0.1), D tmean (degC), E precip (mm/yr),
F land cover (ESA CCI codes, mapped to the model's land-use factors through 256-entry lookup tables).
Usage: gdal_chain_expressions.py rate|loss LEGEND.yaml
"""
import re
import sys

MANAGEABLE = {"cropland": 1.0, "grassland": 0.7, "shrubland": 0.4, "forest": 0.2}
VULNERABILITY = {"wetland": 0.5, "cropland": 0.15, "grassland": 0.1, "forest": 0.1, "shrubland": 0.1, "bare": 0.05}


def lookup(legend_path, factors):
    table = [0.0] * 256
    for line in open(legend_path):
        m = re.match(r"\s*(\d+):\s*\{\s*group:\s*(\w+)", line)
        if m and int(m.group(1)) < 256:
            table[int(m.group(1))] = factors.get(m.group(2), 0.0)
    return "array([" + ",".join(repr(v) for v in table) + "])[F]"


def rate(legend):
    fine = "(B*0.1+C*0.1)"
    deficit = f"maximum(0,(4.09+0.37*{fine})*1.3*30*0.1-A*0.1)"
    npp = "minimum(3000*(1-exp(-0.000664*E)),3000/(1+exp(1.315-0.119*D)))"
    return f"minimum({deficit}/20,1.0*{npp}/3000)*{lookup(legend, MANAGEABLE)}"


def loss(legend):
    def a(t):
        return f"where({t}+18.27>0,47.91/(1+exp(106.06/maximum({t}+18.27,1e-6))),0)"
    now, warm = a("D"), a("(D+2.0)")
    w = f"where({now}>0,{warm}/where({now}>0,{now},1)-1,where({warm}>0,inf,0))"
    return f"(A*0.1)*minimum(1,{lookup(legend, VULNERABILITY)}+0.5*{w})"


if __name__ == "__main__":
    print({"rate": rate, "loss": loss}[sys.argv[1]](sys.argv[2]))
