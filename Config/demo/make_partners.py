#!/usr/bin/python3
"""Writes Config/partners.geojson: a SYNTHETIC directory of 400 demo partners of the "4 per 1000" initiative.

Every organisation is invented (names end with " (demo)", websites and e-mails are under example.org); only the
anchor cities are real places. Deterministic: a fixed seed, Python's own `random` (Mersenne Twister, stable across
Python 3 versions for the calls used here) and the committed land mask Config/demo/landmask.tif, read with GDAL.

    /usr/bin/python3 Config/demo/make_partners.py [--out Config/partners.geojson]

Placement: every anchor city gets one partner, the remaining ones are shared out by region weights, and each partner
is jittered by up to JITTER degrees around its city. A point is kept only when the land mask says land (1; 0 is sea
and 2 is a lake) at its coordinates as written (rounded to 5 decimals). On sea or lake the jitter is retried with a
smaller radius, finally the city point itself, which the script checks to be on land before anything else.
"""
import argparse
import datetime
import json
import os
import random
import re
import sys

from osgeo import gdal

gdal.UseExceptions()

SEED = 40001000  # "4 per 1000"
COUNT = 400
JITTER = 0.5  # degrees, largest offset in longitude and in latitude
SMALL_ISLANDS = {"Taveuni": 0.1}  # a smaller jitter, so that its partners stay on the island astride 180 degrees
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MASK = os.path.join(HERE, "landmask.tif")

# (city, ISO 3166-1 alpha-2, lat, lon, region, language of names, area label in that language, favoured themes)
# Coordinates are of the town centre, moved by a few km where the 0.05 degree mask has sea or a lake there (Tampere,
# Tromsø, Reykjavík, Petropavlovsk, Provideniya, Baghdad, Suva, Apia). Tonga is left out: the mask drops islands under
# 300 km2 (grdlandmask -A300), Tongatapu among them; Savai'i (Asau, -172.6) stands for the Samoa/Tonga side.
CITIES = [
    # Africa
    ("Thiès", "SN", 14.79, -16.93, "Africa", "fr", "Bassin arachidier", "rangeland_restoration"),
    ("Bamako", "ML", 12.64, -8.00, "Africa", "fr", "Haut-Niger", "agroforestry"),
    ("Niamey", "NE", 13.51, 2.11, "Africa", "fr", "Sahel", "rangeland_restoration agroforestry"),
    ("Ouagadougou", "BF", 12.37, -1.52, "Africa", "fr", "Plateau mossi", "agroforestry compost_and_amendments"),
    ("N'Djamena", "TD", 12.13, 15.06, "Africa", "fr", "Chari", "rangeland_restoration"),
    ("Kano", "NG", 12.00, 8.52, "Africa", "en", "Sahel", "agroforestry"),
    ("Ibadan", "NG", 7.38, 3.95, "Africa", "en", "West African", "conservation_agriculture"),
    ("Kumasi", "GH", 6.69, -1.62, "Africa", "en", "Ashanti", "agroforestry"),
    ("Tamale", "GH", 9.40, -0.85, "Africa", "en", "Northern Savanna", "compost_and_amendments"),
    ("Bouaké", "CI", 7.69, -5.03, "Africa", "fr", "Gbêkê", "agroforestry"),
    ("Parakou", "BJ", 9.34, 2.63, "Africa", "fr", "Borgou", "conservation_agriculture"),
    ("Addis Ababa", "ET", 9.03, 38.74, "Africa", "en", "Ethiopian Highlands", "soil_carbon_monitoring"),
    ("Bahir Dar", "ET", 11.59, 37.39, "Africa", "en", "Lake Tana", "grassland_management"),
    ("Nairobi", "KE", -1.29, 36.82, "Africa", "en", "East African", "mrv finance"),
    ("Eldoret", "KE", 0.51, 35.27, "Africa", "en", "Rift Valley", "conservation_agriculture"),
    ("Kampala", "UG", 0.35, 32.58, "Africa", "en", "Great Lakes", "agroforestry"),
    ("Kigali", "RW", -1.95, 30.06, "Africa", "en", "Rwandan Hills", "agroforestry"),
    ("Arusha", "TZ", -3.37, 36.68, "Africa", "en", "Kilimanjaro", "rangeland_restoration"),
    ("Dodoma", "TZ", -6.16, 35.75, "Africa", "en", "Central Tanzanian", "rangeland_restoration"),
    ("Morogoro", "TZ", -6.82, 37.66, "Africa", "en", "Uluguru", "conservation_agriculture"),
    ("Lilongwe", "MW", -13.96, 33.79, "Africa", "en", "Malawian", "conservation_agriculture"),
    ("Lusaka", "ZM", -15.39, 28.32, "Africa", "en", "Zambezi", "conservation_agriculture"),
    ("Harare", "ZW", -17.83, 31.05, "Africa", "en", "Zimbabwean", "conservation_agriculture"),
    ("Chimoio", "MZ", -19.12, 33.48, "Africa", "pt", "Manica", "agroforestry"),
    ("Nampula", "MZ", -15.12, 39.27, "Africa", "pt", "Norte de Moçambique", "conservation_agriculture"),
    ("Huambo", "AO", -12.78, 15.74, "Africa", "pt", "Planalto Central", "compost_and_amendments"),
    ("Antananarivo", "MG", -18.88, 47.51, "Africa", "fr", "Hautes Terres", "rice_systems"),
    ("Pretoria", "ZA", -25.75, 28.19, "Africa", "en", "Highveld", "grassland_management"),
    ("Stellenbosch", "ZA", -33.93, 18.86, "Africa", "en", "Cape Winelands", "compost_and_amendments"),
    ("Pietermaritzburg", "ZA", -29.60, 30.38, "Africa", "en", "KwaZulu-Natal", "grassland_management"),
    ("Windhoek", "NA", -22.56, 17.08, "Africa", "en", "Namibian", "rangeland_restoration"),
    ("Gaborone", "BW", -24.65, 25.91, "Africa", "en", "Kalahari", "rangeland_restoration"),
    ("Kinshasa", "CD", -4.32, 15.31, "Africa", "fr", "Bassin du Congo", "agroforestry"),
    ("Yaoundé", "CM", 3.87, 11.52, "Africa", "fr", "Centre Cameroun", "agroforestry"),
    ("Meknès", "MA", 33.90, -5.55, "Africa", "fr", "Saïs", "conservation_agriculture"),
    ("Marrakech", "MA", 31.63, -7.99, "Africa", "fr", "Haouz", "rangeland_restoration"),
    ("Kairouan", "TN", 35.68, 10.10, "Africa", "fr", "Tunisie centrale", "rangeland_restoration"),
    ("Cairo", "EG", 30.04, 31.24, "Africa", "en", "Nile Delta", "compost_and_amendments"),
    ("Khartoum", "SD", 15.50, 32.56, "Africa", "en", "Nile Valley", "rangeland_restoration"),
    # Europe
    ("Montpellier", "FR", 43.61, 3.88, "Europe", "fr", "Languedoc", "policy capacity_building"),
    ("Paris", "FR", 48.86, 2.35, "Europe", "fr", "Île-de-France", "policy finance"),
    ("Rennes", "FR", 48.11, -1.68, "Europe", "fr", "Bretagne", "grassland_management"),
    ("Toulouse", "FR", 43.60, 1.44, "Europe", "fr", "Occitanie", "conservation_agriculture"),
    ("Wageningen", "NL", 51.97, 5.67, "Europe", "en", "Rhine Valley", "soil_carbon_monitoring"),
    ("Leuven", "BE", 50.88, 4.70, "Europe", "en", "Flanders", "soil_carbon_monitoring"),
    ("Odense", "DK", 55.40, 10.39, "Europe", "en", "Danish", "mrv"),
    ("Uppsala", "SE", 59.86, 17.64, "Europe", "en", "Scandinavian", "soil_carbon_monitoring"),
    ("Tampere", "FI", 61.47, 23.76, "Europe", "en", "Finnish Lakeland", "peatland_protection"),
    ("Tromsø", "NO", 69.64, 19.02, "Europe", "en", "Arctic Norway", "peatland_protection"),
    ("Longyearbyen", "SJ", 78.22, 15.65, "Europe", "en", "Svalbard", "soil_carbon_monitoring"),
    ("Reykjavík", "IS", 64.12, -21.85, "Europe", "en", "Icelandic", "rangeland_restoration"),
    ("Athlone", "IE", 53.42, -7.94, "Europe", "en", "Irish Midlands", "peatland_protection"),
    ("Harpenden", "GB", 51.82, -0.36, "Europe", "en", "Chiltern", "soil_carbon_monitoring"),
    ("Edinburgh", "GB", 55.93, -3.20, "Europe", "en", "Scottish", "peatland_protection"),
    ("Madrid", "ES", 40.42, -3.70, "Europe", "es", "Meseta", "conservation_agriculture"),
    ("Córdoba", "ES", 37.88, -4.78, "Europe", "es", "Andalucía", "conservation_agriculture"),
    ("Évora", "PT", 38.57, -7.91, "Europe", "pt", "Alentejo", "grassland_management"),
    ("Bologna", "IT", 44.49, 11.34, "Europe", "en", "Po Valley", "compost_and_amendments"),
    ("Rome", "IT", 41.90, 12.50, "Europe", "en", "Latium", "policy"),
    ("Munich", "DE", 48.14, 11.58, "Europe", "en", "Bavarian", "grassland_management"),
    ("Göttingen", "DE", 51.54, 9.93, "Europe", "en", "Lower Saxony", "soil_carbon_monitoring"),
    ("Vienna", "AT", 48.21, 16.37, "Europe", "en", "Danube", "soil_carbon_monitoring"),
    ("Zurich", "CH", 47.37, 8.54, "Europe", "en", "Alpine", "grassland_management"),
    ("Warsaw", "PL", 52.23, 21.01, "Europe", "en", "Mazovian", "conservation_agriculture"),
    ("Kyiv", "UA", 50.45, 30.52, "Europe", "en", "Chernozem Belt", "conservation_agriculture"),
    ("Bucharest", "RO", 44.43, 26.10, "Europe", "en", "Wallachian", "conservation_agriculture"),
    ("Larissa", "GR", 39.64, 22.42, "Europe", "en", "Thessalian", "compost_and_amendments"),
    ("Budapest", "HU", 47.50, 19.04, "Europe", "en", "Pannonian", "soil_carbon_monitoring"),
    ("Prague", "CZ", 50.08, 14.44, "Europe", "en", "Bohemian", "soil_carbon_monitoring"),
    # Latin America and the Caribbean
    ("Mexico City", "MX", 19.43, -99.13, "Latin America", "es", "Altiplano Mexicano", "policy"),
    ("Oaxaca", "MX", 17.07, -96.73, "Latin America", "es", "Mixteca", "agroforestry"),
    ("Mérida", "MX", 20.97, -89.62, "Latin America", "es", "Yucatán", "agroforestry"),
    ("Guatemala City", "GT", 14.63, -90.51, "Latin America", "es", "Mesoamérica", "agroforestry"),
    ("Tegucigalpa", "HN", 14.07, -87.19, "Latin America", "es", "Corredor Seco", "agroforestry"),
    ("Managua", "NI", 12.11, -86.24, "Latin America", "es", "Pacífico Nicaragüense", "agroforestry"),
    ("Turrialba", "CR", 9.90, -83.68, "Latin America", "es", "Valle Central", "agroforestry"),
    ("David", "PA", 8.43, -82.43, "Latin America", "es", "Chiriquí", "grassland_management"),
    ("Hinche", "HT", 19.15, -72.01, "Latin America", "fr", "Plateau central", "agroforestry"),
    ("Santiago de los Caballeros", "DO", 19.45, -70.69, "Latin America", "es", "Cibao", "agroforestry"),
    ("Santa Clara", "CU", 22.41, -79.96, "Latin America", "es", "Villa Clara", "compost_and_amendments"),
    ("Bogotá", "CO", 4.71, -74.07, "Latin America", "es", "Cundinamarca", "grassland_management"),
    ("Palmira", "CO", 3.54, -76.30, "Latin America", "es", "Valle del Cauca", "soil_carbon_monitoring"),
    ("Quito", "EC", -0.18, -78.47, "Latin America", "es", "Sierra Norte", "peatland_protection"),
    ("Huancayo", "PE", -12.07, -75.21, "Latin America", "es", "Valle del Mantaro", "grassland_management"),
    ("Cusco", "PE", -13.53, -71.97, "Latin America", "es", "Andes del Sur", "grassland_management"),
    ("Iquitos", "PE", -3.75, -73.25, "Latin America", "es", "Amazonía", "peatland_protection"),
    ("La Paz", "BO", -16.50, -68.15, "Latin America", "es", "Altiplano", "rangeland_restoration"),
    ("Santa Cruz de la Sierra", "BO", -17.78, -63.18, "Latin America", "es", "Chiquitanía", "agroforestry"),
    ("Caracas", "VE", 10.48, -66.90, "Latin America", "es", "Miranda", "agroforestry"),
    ("Manaus", "BR", -3.12, -60.02, "Latin America", "pt", "Amazônia", "agroforestry"),
    ("Belém", "BR", -1.40, -48.45, "Latin America", "pt", "Pará", "agroforestry"),
    ("Brasília", "BR", -15.79, -47.88, "Latin America", "pt", "Cerrado", "conservation_agriculture"),
    ("Goiânia", "BR", -16.69, -49.26, "Latin America", "pt", "Goiás", "grassland_management"),
    ("Campinas", "BR", -22.91, -47.06, "Latin America", "pt", "Interior Paulista", "soil_carbon_monitoring"),
    ("Londrina", "BR", -23.31, -51.16, "Latin America", "pt", "Norte do Paraná", "conservation_agriculture"),
    ("Petrolina", "BR", -9.39, -40.50, "Latin America", "pt", "Caatinga", "rangeland_restoration"),
    ("Passo Fundo", "BR", -28.26, -52.41, "Latin America", "pt", "Planalto Gaúcho", "conservation_agriculture"),
    ("Asunción", "PY", -25.26, -57.58, "Latin America", "es", "Gran Chaco", "grassland_management"),
    ("Tacuarembó", "UY", -31.71, -55.98, "Latin America", "es", "Pampa", "grassland_management"),
    ("Pergamino", "AR", -33.89, -60.57, "Latin America", "es", "Pampa Húmeda", "conservation_agriculture"),
    ("Córdoba", "AR", -31.42, -64.18, "Latin America", "es", "Sierras de Córdoba", "conservation_agriculture"),
    ("Mendoza", "AR", -32.89, -68.83, "Latin America", "es", "Cuyo", "compost_and_amendments"),
    ("Santiago", "CL", -33.45, -70.67, "Latin America", "es", "Chile Central", "policy"),
    ("Temuco", "CL", -38.74, -72.60, "Latin America", "es", "Araucanía", "grassland_management"),
    ("Punta Arenas", "CL", -53.16, -70.93, "Latin America", "es", "Magallanes", "peatland_protection"),
    ("Ushuaia", "AR", -54.80, -68.32, "Latin America", "es", "Tierra del Fuego", "peatland_protection"),
    # South Asia
    ("New Delhi", "IN", 28.61, 77.21, "South Asia", "en", "Indo-Gangetic", "policy rice_systems"),
    ("Ludhiana", "IN", 30.90, 75.85, "South Asia", "en", "Punjab", "rice_systems conservation_agriculture"),
    ("Lucknow", "IN", 26.85, 80.95, "South Asia", "en", "Gangetic Plains", "rice_systems"),
    ("Hyderabad", "IN", 17.39, 78.49, "South Asia", "en", "Deccan", "rangeland_restoration"),
    ("Pune", "IN", 18.52, 73.86, "South Asia", "en", "Maharashtra", "compost_and_amendments"),
    ("Bengaluru", "IN", 12.97, 77.59, "South Asia", "en", "Karnataka", "soil_carbon_monitoring"),
    ("Coimbatore", "IN", 11.02, 76.96, "South Asia", "en", "Kongu", "agroforestry"),
    ("Bhubaneswar", "IN", 20.30, 85.82, "South Asia", "en", "Odisha", "rice_systems"),
    ("Patna", "IN", 25.59, 85.14, "South Asia", "en", "Bihar", "rice_systems"),
    ("Kolkata", "IN", 22.57, 88.36, "South Asia", "en", "Bengal", "rice_systems"),
    ("Dhaka", "BD", 23.81, 90.41, "South Asia", "en", "Bengal Delta", "rice_systems"),
    ("Mymensingh", "BD", 24.75, 90.41, "South Asia", "en", "Brahmaputra", "rice_systems"),
    ("Kathmandu", "NP", 27.72, 85.32, "South Asia", "en", "Himalayan", "agroforestry"),
    ("Thimphu", "BT", 27.47, 89.64, "South Asia", "en", "Bhutanese", "agroforestry"),
    ("Lahore", "PK", 31.55, 74.34, "South Asia", "en", "Indus Plains", "rice_systems"),
    ("Faisalabad", "PK", 31.42, 73.08, "South Asia", "en", "Lower Chenab", "conservation_agriculture"),
    ("Kandy", "LK", 7.29, 80.63, "South Asia", "en", "Lankan Hill Country", "agroforestry"),
    ("Kabul", "AF", 34.53, 69.17, "South Asia", "en", "Afghan", "rangeland_restoration"),
    # Southeast Asia
    ("Bangkok", "TH", 13.76, 100.50, "Southeast Asia", "en", "Chao Phraya", "rice_systems"),
    ("Chiang Mai", "TH", 18.79, 98.98, "Southeast Asia", "en", "Northern Thai", "agroforestry"),
    ("Khon Kaen", "TH", 16.44, 102.84, "Southeast Asia", "en", "Isan", "rice_systems"),
    ("Hanoi", "VN", 21.03, 105.85, "Southeast Asia", "en", "Red River", "rice_systems"),
    ("Can Tho", "VN", 10.05, 105.75, "Southeast Asia", "en", "Mekong Delta", "rice_systems"),
    ("Buon Ma Thuot", "VN", 12.67, 108.04, "Southeast Asia", "en", "Central Highlands", "agroforestry"),
    ("Phnom Penh", "KH", 11.56, 104.92, "Southeast Asia", "en", "Cambodian", "rice_systems"),
    ("Vientiane", "LA", 17.98, 102.63, "Southeast Asia", "en", "Mekong", "rice_systems"),
    ("Yangon", "MM", 16.87, 96.20, "Southeast Asia", "en", "Irrawaddy", "rice_systems"),
    ("Los Baños", "PH", 14.17, 121.24, "Southeast Asia", "en", "Laguna", "rice_systems"),
    ("Davao", "PH", 7.19, 125.46, "Southeast Asia", "en", "Mindanao", "agroforestry"),
    ("Bogor", "ID", -6.60, 106.80, "Southeast Asia", "en", "West Java", "soil_carbon_monitoring"),
    ("Yogyakarta", "ID", -7.80, 110.36, "Southeast Asia", "en", "Central Java", "rice_systems"),
    ("Palangka Raya", "ID", -2.21, 113.92, "Southeast Asia", "en", "Borneo Peatland", "peatland_protection"),
    ("Pekanbaru", "ID", 0.51, 101.45, "Southeast Asia", "en", "Riau", "peatland_protection"),
    ("Kuala Lumpur", "MY", 3.14, 101.69, "Southeast Asia", "en", "Malaysian", "peatland_protection"),
    ("Kuching", "MY", 1.55, 110.34, "Southeast Asia", "en", "Sarawak", "peatland_protection"),
    # East Asia
    ("Beijing", "CN", 39.90, 116.41, "East Asia", "en", "North China Plain", "conservation_agriculture"),
    ("Yangling", "CN", 34.27, 108.07, "East Asia", "en", "Loess Plateau", "rangeland_restoration"),
    ("Nanjing", "CN", 32.06, 118.80, "East Asia", "en", "Yangtze", "rice_systems"),
    ("Wuhan", "CN", 30.59, 114.31, "East Asia", "en", "Hubei", "rice_systems"),
    ("Changsha", "CN", 28.23, 112.94, "East Asia", "en", "Hunan", "rice_systems"),
    ("Chengdu", "CN", 30.57, 104.07, "East Asia", "en", "Sichuan", "rice_systems"),
    ("Kunming", "CN", 25.04, 102.71, "East Asia", "en", "Yunnan", "agroforestry"),
    ("Harbin", "CN", 45.80, 126.53, "East Asia", "en", "Black Soil", "conservation_agriculture"),
    ("Lanzhou", "CN", 36.06, 103.83, "East Asia", "en", "Gansu", "grassland_management"),
    ("Hohhot", "CN", 40.84, 111.75, "East Asia", "en", "Inner Mongolian", "grassland_management"),
    ("Ulaanbaatar", "MN", 47.89, 106.91, "East Asia", "en", "Mongolian Steppe", "rangeland_restoration"),
    ("Seoul", "KR", 37.57, 126.98, "East Asia", "en", "Korean", "rice_systems"),
    ("Tsukuba", "JP", 36.08, 140.11, "East Asia", "en", "Kanto", "soil_carbon_monitoring"),
    ("Sapporo", "JP", 43.06, 141.35, "East Asia", "en", "Hokkaido", "peatland_protection"),
    # Central and North Asia
    ("Almaty", "KZ", 43.24, 76.89, "Central and North Asia", "en", "Semirechye", "grassland_management"),
    ("Astana", "KZ", 51.17, 71.45, "Central and North Asia", "en", "Kazakh Steppe", "rangeland_restoration"),
    ("Tashkent", "UZ", 41.30, 69.24, "Central and North Asia", "en", "Syr Darya", "rangeland_restoration"),
    ("Bishkek", "KG", 42.87, 74.59, "Central and North Asia", "en", "Tian Shan", "grassland_management"),
    ("Voronezh", "RU", 51.66, 39.20, "Central and North Asia", "en", "Central Black Earth", "conservation_agriculture"),
    ("Novosibirsk", "RU", 55.01, 82.93, "Central and North Asia", "en", "Siberian", "peatland_protection"),
    ("Yakutsk", "RU", 62.03, 129.73, "Central and North Asia", "en", "Yakutian", "soil_carbon_monitoring"),
    ("Petropavlovsk-Kamchatsky", "RU", 53.05, 158.68, "Central and North Asia", "en", "Kamchatka",
     "peatland_protection"),
    ("Anadyr", "RU", 64.73, 177.51, "Central and North Asia", "en", "Chukotka", "peatland_protection"),
    ("Provideniya", "RU", 64.39, -173.23, "Central and North Asia", "en", "Bering Strait", "soil_carbon_monitoring"),
    # Middle East
    ("Amman", "JO", 31.95, 35.93, "Middle East", "en", "Levantine", "rangeland_restoration"),
    ("Zahlé", "LB", 33.85, 35.90, "Middle East", "en", "Bekaa", "compost_and_amendments"),
    ("Aleppo", "SY", 36.20, 37.13, "Middle East", "en", "Fertile Crescent", "conservation_agriculture"),
    ("Ankara", "TR", 39.93, 32.86, "Middle East", "en", "Anatolian", "conservation_agriculture"),
    ("Şanlıurfa", "TR", 37.16, 38.79, "Middle East", "en", "Harran", "conservation_agriculture"),
    ("Karaj", "IR", 35.84, 50.94, "Middle East", "en", "Alborz", "rangeland_restoration"),
    ("Baghdad", "IQ", 33.30, 44.40, "Middle East", "en", "Mesopotamian", "rangeland_restoration"),
    ("Riyadh", "SA", 24.71, 46.68, "Middle East", "en", "Arabian", "rangeland_restoration"),
    ("Sana'a", "YE", 15.37, 44.19, "Middle East", "en", "Yemeni Highlands", "rangeland_restoration"),
    # North America
    ("Nome", "US", 64.50, -165.41, "North America", "en", "Seward Peninsula", "soil_carbon_monitoring"),
    ("Fairbanks", "US", 64.84, -147.72, "North America", "en", "Interior Alaska", "peatland_protection"),
    ("Iqaluit", "CA", 63.75, -68.52, "North America", "en", "Nunavut", "soil_carbon_monitoring"),
    ("Saskatoon", "CA", 52.13, -106.67, "North America", "en", "Prairie", "conservation_agriculture"),
    ("Guelph", "CA", 43.55, -80.25, "North America", "en", "Ontario", "soil_carbon_monitoring"),
    ("Québec", "CA", 46.81, -71.21, "North America", "fr", "Saint-Laurent", "grassland_management"),
    ("Davis", "US", 38.54, -121.74, "North America", "en", "Central Valley", "compost_and_amendments"),
    ("Fort Collins", "US", 40.59, -105.08, "North America", "en", "Front Range", "grassland_management"),
    ("Lincoln", "US", 40.81, -96.70, "North America", "en", "Great Plains", "grassland_management"),
    ("Ames", "US", 42.03, -93.62, "North America", "en", "Corn Belt", "conservation_agriculture"),
    ("Raleigh", "US", 35.78, -78.64, "North America", "en", "Piedmont", "soil_carbon_monitoring"),
    # Oceania
    ("Canberra", "AU", -35.28, 149.13, "Oceania", "en", "Southern Tablelands", "mrv finance"),
    ("Toowoomba", "AU", -27.56, 151.95, "Oceania", "en", "Darling Downs", "conservation_agriculture"),
    ("Northam", "AU", -31.65, 116.67, "Oceania", "en", "Wheatbelt", "conservation_agriculture"),
    ("Wagga Wagga", "AU", -35.12, 147.37, "Oceania", "en", "Riverina", "grassland_management"),
    ("Alice Springs", "AU", -23.70, 133.88, "Oceania", "en", "Central Australian", "rangeland_restoration"),
    ("Hamilton", "NZ", -37.79, 175.28, "Oceania", "en", "Waikato", "grassland_management"),
    ("Palmerston North", "NZ", -40.35, 175.61, "Oceania", "en", "Manawatū", "grassland_management"),
    ("Goroka", "PG", -6.08, 145.39, "Oceania", "en", "Papuan Highlands", "agroforestry"),
    ("Suva", "FJ", -18.10, 178.47, "Oceania", "en", "Fijian", "agroforestry"),
    ("Labasa", "FJ", -16.43, 179.39, "Oceania", "en", "Vanua Levu", "agroforestry"),
    ("Taveuni", "FJ", -16.85, -179.97, "Oceania", "en", "Taveuni", "agroforestry"),  # crosses 180
    ("Apia", "WS", -13.86, -171.76, "Oceania", "en", "Samoan", "agroforestry"),
    ("Salelologa", "WS", -13.73, -172.21, "Oceania", "en", "Savai'i", "agroforestry"),
    ("Asau", "WS", -13.52, -172.63, "Oceania", "en", "West Savai'i", "agroforestry"),
]

# Shares of the partners beyond the first one per city.
REGION_WEIGHTS = {
    "Africa": 26, "Europe": 17, "Latin America": 21, "South Asia": 13, "Southeast Asia": 9, "East Asia": 8,
    "Central and North Asia": 2, "Middle East": 2, "North America": 1, "Oceania": 1,
}

TYPES = [("research_institute", 30), ("ngo", 25), ("farmers_organisation", 20), ("public_body", 10),
         ("company", 10), ("international_organisation", 5)]

THEMES = ["soil_carbon_monitoring", "agroforestry", "conservation_agriculture", "grassland_management",
          "peatland_protection", "rangeland_restoration", "rice_systems", "compost_and_amendments",
          "capacity_building", "policy", "finance", "mrv"]
THEME_BASE = {"soil_carbon_monitoring": 4, "agroforestry": 3, "conservation_agriculture": 3, "grassland_management": 2,
              "peatland_protection": 1, "rangeland_restoration": 2, "rice_systems": 1, "compost_and_amendments": 2,
              "capacity_building": 3, "policy": 2, "finance": 1, "mrv": 2}
THEME_BY_TYPE = {
    "research_institute": {"soil_carbon_monitoring": 4, "mrv": 3},
    "ngo": {"capacity_building": 3, "agroforestry": 2},
    "farmers_organisation": {"conservation_agriculture": 3, "compost_and_amendments": 2, "grassland_management": 2},
    "company": {"mrv": 4, "finance": 3, "compost_and_amendments": 3},
    "public_body": {"policy": 4, "soil_carbon_monitoring": 2},
    "international_organisation": {"policy": 4, "finance": 3, "capacity_building": 3},
}
THEME_TEXT = {
    "soil_carbon_monitoring": ("soil carbon monitoring", "le suivi du carbone des sols",
                               "el monitoreo del carbono del suelo"),
    "agroforestry": ("agroforestry", "l'agroforesterie", "la agroforestería"),
    "conservation_agriculture": ("conservation agriculture", "l'agriculture de conservation",
                                 "la agricultura de conservación"),
    "grassland_management": ("grassland management", "la gestion des prairies", "el manejo de pastizales"),
    "peatland_protection": ("peatland protection", "la protection des tourbières", "la protección de turberas"),
    "rangeland_restoration": ("rangeland restoration", "la restauration des parcours",
                              "la restauración de pastizales naturales"),
    "rice_systems": ("low-emission rice systems", "les systèmes rizicoles sobres en carbone",
                     "los sistemas arroceros bajos en emisiones"),
    "compost_and_amendments": ("compost and organic amendments", "le compost et les amendements organiques",
                               "el compost y las enmiendas orgánicas"),
    "capacity_building": ("training and capacity building", "la formation et le renforcement des capacités",
                          "la formación y el fortalecimiento de capacidades"),
    "policy": ("soil policy", "les politiques des sols", "las políticas de suelos"),
    "finance": ("finance for soil carbon", "le financement du carbone des sols",
                "el financiamiento del carbono del suelo"),
    "mrv": ("measurement, reporting and verification", "la mesure, la notification et la vérification",
            "la medición, el reporte y la verificación"),
}
TYPE_TEXT = {
    "research_institute": ("research institute", "institut de recherche", "instituto de investigación"),
    "ngo": ("NGO", "ONG", "ONG"),
    "farmers_organisation": ("farmers' organisation", "organisation de producteurs", "organización de productores"),
    "company": ("company", "entreprise", "empresa"),
    "public_body": ("public body", "organisme public", "organismo público"),
    "international_organisation": ("international body", "organisme international", "organismo internacional"),
}

# {C}: the city, {L}: the area label (both in the language of the templates).
NAMES = {
    "research_institute": {
        "en": ["{L} Soil Carbon Institute", "{L} Institute for Soil and Climate Research",
               "{C} Centre for Agroecology Research", "{L} Soil Science Laboratory",
               "{C} University Soil Health Group", "{L} Agricultural Research Station",
               "{L} Centre for Land and Carbon Studies", "{C} Institute of Soil Ecology"],
        "fr": ["Institut de recherche agronomique de {C}", "Laboratoire des sols et du carbone de {C}",
               "Centre d'études agroécologiques de {C}", "Observatoire du carbone des sols – {L}",
               "Station de recherche agricole – {L}"],
        "es": ["Instituto de Investigación de Suelos de {C}", "Centro de Estudios Agroecológicos de {C}",
               "Laboratorio de Carbono del Suelo – {L}", "Estación Experimental Agropecuaria – {L}",
               "Grupo de Edafología de {C}"],
        "pt": ["Instituto de Pesquisa em Solos de {C}", "Centro de Estudos do Carbono do Solo – {L}",
               "Laboratório de Agroecologia de {C}", "Estação Experimental – {L}"],
    },
    "ngo": {
        "en": ["{L} Soil Carbon Initiative", "Friends of {L} Soils", "{L} Agroforestry Alliance",
               "Green Roots {C}", "{C} Land Restoration Trust", "{L} Regenerative Farming Network",
               "Living Soils {L}", "{C} Soil Stewardship Foundation"],
        "fr": ["Association Sols vivants de {C}", "Terres et Carbone – {L}", "Réseau agroforestier de {C}",
               "Association pour la restauration des terres de {C}", "Racines vertes – {L}"],
        "es": ["Fundación Suelos Vivos de {C}", "Red Agroecológica de {C}", "Asociación Tierra y Carbono – {L}",
               "Fundación Raíces – {L}", "Colectivo Suelo Sano de {C}"],
        "pt": ["Associação Solo Vivo de {C}", "Rede Agroecológica de {C}", "Instituto Raízes – {L}",
               "Associação Terra e Carbono – {L}"],
    },
    "farmers_organisation": {
        "en": ["{L} Farmers' Soil Cooperative", "{C} Smallholder Farmers Association", "{L} Pastoralists' Union",
               "{C} Growers' Cooperative", "{L} Conservation Farmers Network", "{C} Dairy Farmers' Federation",
               "{L} Women Farmers' Collective"],
        "fr": ["Coopérative agricole de {C}", "Union des producteurs de {C}", "Fédération des éleveurs – {L}",
               "Groupement paysan de {C}", "Réseau des paysannes – {L}"],
        "es": ["Cooperativa Agroforestal de {C}", "Asociación de Productores de {C}",
               "Unión de Agricultores – {L}", "Federación de Ganaderos – {L}", "Cooperativa Agroecológica de {C}"],
        "pt": ["Cooperativa Agroflorestal de {C}", "Associação de Produtores de {C}", "Sindicato Rural de {C}",
               "Cooperativa de Agricultores – {L}"],
    },
    "company": {
        "en": ["{L} Carbon Farming Ltd", "{C} Soil Analytics", "{L} Compost Works", "TerraMetrics {C}",
               "{L} Agro Services", "CarbonRoot {L}"],
        "fr": ["{C} Compost SARL", "Agro-Conseil {L}", "SolCarbone {C}", "Humus {L} SAS"],
        "es": ["Compostajes {C} S.A.", "AgroCarbono {L}", "Servicios Edáficos de {C}", "Suelo Medido {L}"],
        "pt": ["Compostagem {C} Ltda.", "AgroCarbono {L}", "SoloTech {C}", "Carbono do Campo – {L}"],
    },
    "public_body": {
        "en": ["{C} Department of Agriculture Soil Unit", "{L} Land Management Agency", "{L} Soil Survey Office",
               "{C} Municipal Climate Office", "{L} Extension Service"],
        "fr": ["Direction régionale de l'agriculture de {C}", "Agence des terres – {L}", "Service des sols de {C}",
               "Chambre d'agriculture – {L}"],
        "es": ["Secretaría de Agricultura de {C}", "Servicio de Suelos – {L}", "Agencia Ambiental de {C}",
               "Extensión Rural – {L}"],
        "pt": ["Secretaria de Agricultura de {C}", "Serviço de Solos – {L}", "Agência Ambiental de {C}",
               "Extensão Rural – {L}"],
    },
    "international_organisation": {
        "en": ["{L} Regional Soil Partnership", "{L} Office of the Global Soil Carbon Network",
               "{L} Regional Programme on Soils for Food Security", "Intergovernmental {L} Land Commission"],
        "fr": ["Partenariat régional des sols – {L}", "Bureau régional du Réseau mondial des sols – {L}",
               "Programme régional Sols et sécurité alimentaire – {L}"],
        "es": ["Alianza Regional por los Suelos – {L}", "Oficina Regional de la Red Mundial de Suelos – {L}",
               "Programa Regional Suelos y Seguridad Alimentaria – {L}"],
        "pt": ["Aliança Regional pelos Solos – {L}", "Escritório Regional da Rede Mundial de Solos – {L}",
               "Programa Regional Solos e Segurança Alimentar – {L}"],
    },
}

# {A}: the article, {g}: the feminine ending (French and Spanish), by type.
DESCRIPTIONS = {
    "en": ["{A} {type} near {C} working on {t1}.", "{A} {type} in {C}: {t1} and {t2}.",
           "Demo {type} based in {C}, active in {t1}."],
    "fr": ["{A} {type} près de {C} qui travaille sur {t1}.", "{A} {type} à {C} : {t1} et {t2}.",
           "{Type} de démonstration basé{g} à {C}, engagé{g} pour {t1}."],
    "es": ["{A} {type} cerca de {C} que trabaja en {t1}.", "{A} {type} en {C}: {t1} y {t2}.",
           "{Type} de demostración con sede en {C}, activ{g} en {t1}."],
}
GENDER = {  # (French article, ending; Spanish article, ending)
    "research_institute": ("Un", "", "Un", "o"), "ngo": ("Une", "e", "Una", "a"),
    "farmers_organisation": ("Une", "e", "Una", "a"), "company": ("Une", "e", "Una", "a"),
    "public_body": ("Un", "", "Un", "o"), "international_organisation": ("Un", "", "Un", "o"),
}

START = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2026, 10, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)


class LandMask:
    """The 0/1/2 (sea/land/lake) byte raster, whole in memory (7200 x 2880 bytes)."""

    def __init__(self, path):
        ds = gdal.Open(path)
        self.ox, self.px, _, self.oy, _, self.py = ds.GetGeoTransform()
        self.w, self.h = ds.RasterXSize, ds.RasterYSize
        self.data = ds.GetRasterBand(1).ReadRaster(0, 0, self.w, self.h, buf_type=gdal.GDT_Byte)

    def value(self, lon, lat):
        col = int((lon - self.ox) // self.px)
        row = int((lat - self.oy) // self.py)
        if not (0 <= col < self.w and 0 <= row < self.h):
            return None  # outside the mask (south of 60 S or north of 84 N): not known to be land
        return self.data[row * self.w + col]

    def is_land(self, lon, lat):
        return self.value(lon, lat) == 1


def wrap(lon):
    return (lon + 180.0) % 360.0 - 180.0


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]


def place(rng, mask, city):
    """A jittered point of the city on land: radius JITTER (or its small-island one), then halved up to 4 times, then the city itself."""
    name, _, lat, lon, *_ = city
    radius = SMALL_ISLANDS.get(name, JITTER)
    for attempt in range(12):
        if attempt and attempt % 3 == 0:
            radius /= 2
        x = round(wrap(lon + rng.uniform(-radius, radius)), 5)
        y = round(lat + rng.uniform(-radius, radius), 5)
        if mask.is_land(x, y):
            return x, y, attempt
    return round(lon, 5), round(lat, 5), -1


def pick_themes(rng, ptype, city):
    weights = dict(THEME_BASE)
    for t, w in THEME_BY_TYPE[ptype].items():
        weights[t] += w
    for t in city[7].split():
        weights[t] += 6
    n = weighted(rng, [(1, 3), (2, 4), (3, 3), (4, 1)])
    chosen = []
    while len(chosen) < n:
        t = weighted(rng, [(t, w) for t, w in weights.items() if t not in chosen])
        chosen.append(t)
    return sorted(chosen, key=THEMES.index)


def invent_name(rng, ptype, city, taken):
    cname, lang, label = city[0], city[5], city[6]
    templates = NAMES[ptype][lang]
    for _ in range(40):
        name = rng.choice(templates).format(C=cname, L=label) + " (demo)"
        if lang == "fr":
            name = elide(name)
        if name not in taken:
            return name
    # Every template of this type and language is used at this city: fall back to English ones, then a branch.
    for t in NAMES[ptype]["en"]:
        name = t.format(C=cname, L=label) + " (demo)"
        if name not in taken:
            return name
    n = 2
    while True:
        name = f"{rng.choice(templates).format(C=cname, L=label)}, {cname} branch {n} (demo)"
        if name not in taken:
            return name
        n += 1


def elide(text):
    """French elision before a vowel: "de Antananarivo" -> "d'Antananarivo"."""
    return re.sub(r"\b([Dd])e ([AEIOUÉÎaeiouéî])", r"\1'\2", text)


def describe(rng, ptype, city, themes, multilingual):
    cname = city[0]
    k = rng.choice([0, 2] if len(themes) == 1 else [0, 1, 2])
    t2 = themes[1] if len(themes) > 1 else themes[0]
    out = {}
    for i, lang in enumerate(("en", "fr", "es") if multilingual else ("en",)):
        type_text = TYPE_TEXT[ptype][i]
        art, g = {"en": ("An" if type_text[0] in "AEIOUaeiou" else "A", ""), "fr": GENDER[ptype][0:2], "es": GENDER[ptype][2:4]}[lang]
        text = DESCRIPTIONS[lang][k].format(A=art, g=g, type=type_text, Type=type_text[0].upper() + type_text[1:],
                                            C=cname, t1=THEME_TEXT[themes[0]][i], t2=THEME_TEXT[t2][i])
        out[lang] = elide(text) if lang == "fr" else text
    return out


def timestamp(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "Config", "partners.geojson"))
    args = ap.parse_args()

    mask = LandMask(MASK)
    bad = [(c[0], c[1], c[2], c[3], mask.value(c[3], c[2])) for c in CITIES if not mask.is_land(c[3], c[2])]
    if bad:
        for b in bad:
            print("city not on land in the mask: %s (%s) lat %.2f lon %.2f -> %s" % b, file=sys.stderr)
        sys.exit(1)

    rng = random.Random(SEED)
    # One partner per city, then the rest by region weights (uniform over the cities of the region).
    by_region = {}
    for c in CITIES:
        by_region.setdefault(c[4], []).append(c)
    anchors = list(CITIES)
    regions = sorted(REGION_WEIGHTS.items())
    while len(anchors) < COUNT:
        anchors.append(rng.choice(by_region[weighted(rng, regions)]))
    rng.shuffle(anchors)

    taken, features, stats = set(), [], {"retries": 0, "city_fallback": 0}
    span = int((END - START).total_seconds())
    for i, city in enumerate(anchors, start=1):
        pid = "demo-%04d" % i
        host = "demo-partner-%04d.example.org" % i
        ptype = weighted(rng, TYPES)
        lon, lat, attempt = place(rng, mask, city)
        stats["retries"] += max(attempt, 0)
        stats["city_fallback"] += attempt < 0
        themes = pick_themes(rng, ptype, city)
        name = invent_name(rng, ptype, city, taken)
        taken.add(name)
        created = START + datetime.timedelta(seconds=rng.randrange(span))
        updated = created
        if rng.random() < 0.7:
            updated = created + datetime.timedelta(seconds=rng.randrange(int((END - created).total_seconds()) + 1))
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": pid,
                "name": name,
                "type": ptype,
                "country": city[1],
                "themes": themes,
                "website": "https://" + host,
                "description": describe(rng, ptype, city, themes, multilingual=rng.random() < 0.55),
                "email": "contact@" + host,
                "created": timestamp(created),
                "updated": timestamp(updated),
            },
        })

    head = {
        "type": "FeatureCollection",
        "name": "partners",
        "demo": True,
        "description": "SYNTHETIC DEMO DIRECTORY: invented organisations, not real partners",
        "generator": "Config/demo/make_partners.py (seed %d)" % SEED,
    }
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n' + body + "\n]}\n"
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %d partners to %s (%d bytes); jitter retries %d, city fallbacks %d"
          % (len(features), args.out, len(text.encode()), stats["retries"], stats["city_fallback"]))


if __name__ == "__main__":
    main()
