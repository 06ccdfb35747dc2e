"""Demo catalog for Tianguis Solidario: fictional social-economy organizations and their listings."""

from __future__ import annotations

from typing import Any

ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "name": "Cooperativa Cafetalera Yaxal Ch'ulel",
        "slug": "yaxal-chulel",
        "legal_form": "coop_produccion",
        "rfc": "CCY010514DD1",
        "state": "07",
        "municipality": "Chenalhó",
        "lat": 16.9,
        "lng": -92.63,
        "members": 214,
        "women_members": 97,
        "indigenous_community": "Tsotsil",
        "certifications": ["organico_mexico", "spp", "fairtrade", "do_cafe_chiapas"],
        "sdgs": [1, 5, 8, 12, 13, 15],
        "founded_year": 2001,
        "description": (
            "Somos familias tsotsiles de los Altos de Chiapas que cultivamos café arábica bajo sombra "
            "diversificada, entre 1,400 y 1,800 metros sobre el nivel del mar. La cooperativa nació en 2001, "
            "cuando 38 familias decidieron dejar de venderle a los coyotes y beneficiar su propio café. Hoy "
            "tenemos un beneficio húmedo comunitario y un tostador propio, y parte del sobreprecio se "
            "reinvierte en la escuela secundaria y en el mantenimiento de caminos."
        ),
        "listings": [
            {
                "title": "Café de altura tostado en grano, 1 kg",
                "description": (
                    "Arábica de variedades Typica, Bourbon y Garnica cultivado bajo sombra a más de 1,500 "
                    "msnm. Tueste medio con notas a chocolate amargo, panela y un final cítrico. Bolsa con "
                    "válvula desgasificadora y fecha de tueste."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "kg",
                "price_cents": 34000,
                "tiers": [(10, 31500), (50, 29000)],
                "stock": 600,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["07"],
                "national_shipping": True,
            },
            {
                "title": "Café molido para cafetera de goteo, 500 g",
                "description": (
                    "El mismo café de altura, molido medio para cafetera de goteo o prensa francesa. Taza "
                    "balanceada, de cuerpo medio y acidez suave."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 18500,
                "tiers": [(12, 17000), (48, 15800)],
                "stock": 800,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["07"],
                "national_shipping": True,
            },
            {
                "title": "Café orgánico tostado, caja de 12 bolsas de 250 g",
                "description": (
                    "Presentación pensada para tiendas, cafeterías y regalos corporativos: doce bolsas de "
                    "250 g en grano o molido, a elegir. Cada bolsa lleva la historia de la familia "
                    "productora."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "caja",
                "price_cents": 105000,
                "tiers": [(5, 99000), (20, 93000)],
                "stock": 120,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["07", "09"],
                "national_shipping": True,
            },
            {
                "title": "Café verde oro de exportación, por tonelada",
                "description": (
                    "Café verde preparación europea, zaranda 16 y arriba, en sacos de yute de 69 kg con "
                    "bolsa hermética interior. Entregamos muestra previa y hoja de catación SCA (83 a 84 "
                    "puntos)."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "t",
                "price_cents": 15500000,
                "tiers": [(5, 15000000), (19, 14500000)],
                "stock": 38,
                "minimum_order": 1,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Concentrado de café cold brew, por litro",
                "description": (
                    "Extracción en frío durante 18 horas con café de la cooperativa; se diluye una parte por "
                    "tres de agua o leche. Botella de vidrio retornable, se mantiene en refrigeración."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "l",
                "price_cents": 22000,
                "tiers": [(6, 19500)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["07"],
                "national_shipping": False,
            },
            {
                "title": "Morral tsotsil tejido en telar de cintura",
                "description": (
                    "Morral de algodón tejido por las socias en telar de cintura, con brocado de rombos que "
                    "representan el universo tsotsil. Cada pieza es única y tarda alrededor de una semana."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 65000,
                "tiers": [],
                "stock": 40,
                "minimum_order": 1,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Recorrido por el cafetal y taller de catación",
                "description": (
                    "Caminata de medio día por parcelas de café bajo sombra, visita al beneficio húmedo y "
                    "catación guiada de tres perfiles. Incluye comida con tortillas hechas a mano."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 45000,
                "tiers": [(10, 40000)],
                "stock": 300,
                "minimum_order": 2,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Capacitación en catación para cafeterías, por hora",
                "description": (
                    "Nuestros catadores certificados imparten sesiones prácticas de cata, calibración de "
                    "molienda y control de calidad para baristas. Llevamos muestras y material."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "hora",
                "price_cents": 90000,
                "tiers": [],
                "stock": 40,
                "minimum_order": 3,
                "lead_time_days": 14,
                "pickup": False,
                "delivery_states": ["07", "09", "21"],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Bordadoras de la Flor de Aguacatenango, S.S.S.",
        "slug": "bordadoras-aguacatenango",
        "legal_form": "sss",
        "rfc": None,
        "state": "07",
        "municipality": "Venustiano Carranza",
        "lat": 16.47,
        "lng": -92.41,
        "members": 64,
        "women_members": 61,
        "indigenous_community": "Tseltal",
        "certifications": ["marca_colectiva", "hecho_en_mexico"],
        "sdgs": [1, 5, 8, 10, 12],
        "founded_year": 2008,
        "description": (
            "Somos mujeres tseltales de Aguacatenango que bordamos a mano flores de colores intensos sobre "
            "manta blanca, como lo aprendimos de nuestras madres y abuelas. Nos organizamos en 2008 para "
            "vender sin intermediarios y fijar precios justos por hora de trabajo. Cada prenda lleva el "
            "nombre de quien la bordó."
        ),
        "listings": [
            {
                "title": "Blusa bordada de Aguacatenango en manta de algodón",
                "description": (
                    "Blusa de manta con flores bordadas a mano en punto de relleno y cadenilla. El bordado "
                    "cubre cuello y mangas; cada blusa lleva entre 40 y 60 horas de trabajo."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 95000,
                "tiers": [],
                "stock": 35,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["07"],
                "national_shipping": True,
            },
            {
                "title": "Vestido bordado a mano con flores de temporada",
                "description": (
                    "Vestido de manta de corte amplio con bordado floral en pecho y falda. Tallas de la CH a "
                    "la XG; si no hay en existencia se borda sobre pedido."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 185000,
                "tiers": [],
                "stock": 15,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Cojín bordado de flores, 45 × 45 cm",
                "description": (
                    "Funda de cojín de manta con ramo bordado al centro y cierre oculto. No incluye relleno."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 48000,
                "tiers": [(10, 43000), (30, 39000)],
                "stock": 60,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Camino de mesa bordado, 1.80 m",
                "description": (
                    "Camino de mesa de manta con cenefa de flores bordadas en ambos extremos. Se lava a mano "
                    "con jabón neutro."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 78000,
                "tiers": [],
                "stock": 25,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Servilletas bordadas para tortillas, juego de 4",
                "description": (
                    "Cuatro servilletas de manta con orilla tejida y flores bordadas en las esquinas. "
                    "Ideales para tortilleros o como regalo."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 42000,
                "tiers": [(10, 38000)],
                "stock": 80,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Bolsa de manta bordada",
                "description": (
                    "Bolsa de mano con asas de tela, forro interior y bordado floral en una cara. Mide 35 × "
                    "30 cm."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 39000,
                "tiers": [(12, 35000)],
                "stock": 70,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Collar de chaquira tejido a mano",
                "description": (
                    "Collar de chaquira checa tejido en telar de aguja con motivos de flores. Broche de "
                    "plata ley .925."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 28000,
                "tiers": [(12, 24000)],
                "stock": 50,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Pedido institucional de blusas bordadas, caja de 12",
                "description": (
                    "Doce blusas bordadas sobre pedido para tiendas de museo, hoteles o uniformes de "
                    "eventos. Acordamos colores y tallas; se entrega en 45 días."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "caja",
                "price_cents": 1020000,
                "tiers": [(5, 960000)],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 45,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Día de bordado en Aguacatenango con comida tradicional",
                "description": (
                    "Pasa un día con una familia bordadora: aprende las puntadas básicas, conoce el "
                    "manantial del pueblo y come caldo de gallina con tortillas hechas a mano. Las socias "
                    "hablan tseltal y español."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 85000,
                "tiers": [],
                "stock": 120,
                "minimum_order": 2,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Apicultoras Mayas U Yich Lu'um, S.S.S.",
        "slug": "u-yich-luum",
        "legal_form": "sss",
        "rfc": "AMU060823HT4",
        "state": "31",
        "municipality": "Tekax",
        "lat": 20.2,
        "lng": -89.29,
        "members": 85,
        "women_members": 85,
        "indigenous_community": "Maya",
        "certifications": ["organico_mexico", "do_chile_habanero_yucatan", "participativa"],
        "sdgs": [1, 2, 5, 8, 15],
        "founded_year": 2006,
        "description": (
            "Somos 85 mujeres mayas del sur de Yucatán que cuidamos abejas europeas y meliponas en la selva "
            "baja del Puuc. U yich lu'um quiere decir «el fruto de la tierra»: además de miel, cultivamos "
            "chile habanero en solares y parcelas sin agroquímicos. Con la sociedad logramos tener una sala "
            "de extracción propia y un fondo para emergencias de las socias."
        ),
        "listings": [
            {
                "title": "Miel multiflora de la selva maya, 1 kg",
                "description": (
                    "Miel cosechada en apiarios rodeados de selva, de floración de tajonal, ts'iits'ilche' y "
                    "jabín. Color ámbar claro, sabor suave y floral. Frasco de vidrio con tapa metálica."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "kg",
                "price_cents": 22000,
                "tiers": [(12, 20000), (48, 18500)],
                "stock": 900,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["31", "04", "23"],
                "national_shipping": True,
            },
            {
                "title": "Miel melipona xunáan kab, frasco de 250 ml",
                "description": (
                    "Miel de la abeja sin aguijón Melipona beecheii, criada en jobones de tronco como lo "
                    "hacían nuestros abuelos. Es más líquida y ligeramente ácida; se usa tradicionalmente "
                    "para los ojos y la garganta."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 45000,
                "tiers": [(10, 41000)],
                "stock": 120,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["31"],
                "national_shipping": True,
            },
            {
                "title": "Miel de abeja a granel, cubeta de 25 kg",
                "description": (
                    "Miel multiflora sin pasteurizar en cubeta grado alimenticio de 25 kg, para panaderías, "
                    "restaurantes y envasadoras. Precio por kilo; se vende en múltiplos de 25 kg."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "kg",
                "price_cents": 12000,
                "tiers": [(100, 11000), (500, 10000)],
                "stock": 6000,
                "minimum_order": 25,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["31", "04", "23"],
                "national_shipping": True,
            },
            {
                "title": "Salsa de chile habanero rojo, 250 ml",
                "description": (
                    "Salsa elaborada con habanero rojo de nuestras parcelas, asado a la leña con ajo y "
                    "naranja agria. Muy picante, con aroma afrutado."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 6500,
                "tiers": [(24, 5800), (96, 5200)],
                "stock": 500,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["31"],
                "national_shipping": True,
            },
            {
                "title": "Chile habanero fresco de Yucatán, por kilo",
                "description": (
                    "Habanero naranja con denominación de origen, cosechado al momento y empacado en cajas "
                    "de 10 kg. Pedido mínimo de 10 kg."
                ),
                "category": "frutas-verduras",
                "kind": "good",
                "unit": "kg",
                "price_cents": 6000,
                "tiers": [(50, 5200), (200, 4500)],
                "stock": 2000,
                "minimum_order": 10,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["31", "23", "04"],
                "national_shipping": False,
            },
            {
                "title": "Jabón de miel y avena, 120 g",
                "description": (
                    "Jabón hecho en frío con aceite de coco, miel de la cooperativa y avena molida. Suave "
                    "para piel sensible; curado por seis semanas."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 7500,
                "tiers": [(20, 6500)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["31"],
                "national_shipping": True,
            },
            {
                "title": "Bálsamo labial de cera y miel melipona",
                "description": (
                    "Bálsamo en lata de 15 g con cera de abeja, manteca de cacao y miel melipona. Sin "
                    "fragancias sintéticas."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 5500,
                "tiers": [(20, 4800)],
                "stock": 250,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["31"],
                "national_shipping": True,
            },
            {
                "title": "Visita al meliponario y degustación de mieles",
                "description": (
                    "Recorrido de dos horas por el meliponario de la cooperativa, explicación del cuidado de "
                    "la abeja xunáan kab y degustación de cinco mieles de la región. Se recomienda llevar "
                    "ropa de manga larga y repelente."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 35000,
                "tiers": [],
                "stock": 200,
                "minimum_order": 2,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Sociedad Cooperativa Apícola Lool Kaab de los Chenes",
        "slug": "lool-kaab-chenes",
        "legal_form": "coop_produccion",
        "rfc": "ALK970304M66",
        "state": "04",
        "municipality": "Hopelchén",
        "lat": 19.75,
        "lng": -89.85,
        "members": 312,
        "women_members": 74,
        "indigenous_community": "Maya",
        "certifications": ["organico_mexico", "fairtrade", "spp"],
        "sdgs": [1, 8, 12, 13, 15],
        "founded_year": 1997,
        "description": (
            "Cooperativa de apicultores mayas de la región de los Chenes, en Campeche, fundada en 1997 para "
            "exportar miel orgánica en conjunto. Nuestras colmenas están en la selva mediana y hemos "
            "defendido el territorio frente a la deforestación y los agroquímicos de los monocultivos. "
            "Contamos con planta de homogeneizado y laboratorio de humedad."
        ),
        "listings": [
            {
                "title": "Miel orgánica de los Chenes, 1 kg",
                "description": (
                    "Miel orgánica certificada de floración de tajonal y tsalam, con menos de 18 % de "
                    "humedad. Frasco de vidrio de un kilo con etiqueta de lote y fecha de cosecha."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "kg",
                "price_cents": 24000,
                "tiers": [(12, 22000), (60, 20000)],
                "stock": 1200,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["04", "31"],
                "national_shipping": True,
            },
            {
                "title": "Miel orgánica para exportación, tambor de 300 kg",
                "description": (
                    "Miel orgánica homogeneizada en tambor de acero con recubrimiento grado alimenticio. "
                    "Entregamos análisis de laboratorio y certificados orgánico y de comercio justo."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "kg",
                "price_cents": 8500,
                "tiers": [(1200, 8000), (6000, 7500)],
                "stock": 24000,
                "minimum_order": 300,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Miel cremada con canela, 350 g",
                "description": (
                    "Miel cristalizada de forma controlada hasta lograr una textura untable, con canela "
                    "molida. Perfecta para pan tostado."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 13500,
                "tiers": [(12, 12000)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["04"],
                "national_shipping": True,
            },
            {
                "title": "Polen de abeja deshidratado, 250 g",
                "description": (
                    "Polen multicolor recolectado con trampas limpias y deshidratado a baja temperatura. "
                    "Frasco con cierre hermético."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 14500,
                "tiers": [(12, 13000)],
                "stock": 180,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["04"],
                "national_shipping": True,
            },
            {
                "title": "Cera de abeja pura en bloque, por kilo",
                "description": (
                    "Cera amarilla filtrada, de opérculo, sin parafina. Para cosmética, velas y tratamiento "
                    "de madera."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "kg",
                "price_cents": 32000,
                "tiers": [(10, 29000)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Crema corporal de cera de abeja y coco, 200 g",
                "description": (
                    "Crema espesa de cera de abeja, aceite de coco y vitamina E natural. Hidrata piel seca "
                    "por el sol."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 19000,
                "tiers": [],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["04"],
                "national_shipping": True,
            },
            {
                "title": "Tintura de propóleo, gotero de 30 ml",
                "description": (
                    "Propóleo de nuestras colmenas macerado en alcohol de caña durante 30 días. Uso externo "
                    "tradicional para pequeñas heridas y para la garganta."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 12000,
                "tiers": [(12, 10500)],
                "stock": 220,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["04"],
                "national_shipping": True,
            },
            {
                "title": "Curso de apicultura orgánica, 2 días",
                "description": (
                    "Curso teórico-práctico para nuevos apicultores: manejo de colmenas, control de varroa "
                    "sin químicos, normas de certificación y cosecha. Incluye hospedaje sencillo y comidas."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "persona",
                "price_cents": 180000,
                "tiers": [],
                "stock": 25,
                "minimum_order": 1,
                "lead_time_days": 21,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Ejido Forestal Los Chicozapotes",
        "slug": "ejido-los-chicozapotes",
        "legal_form": "ejido",
        "rfc": "EFC380611HI9",
        "state": "23",
        "municipality": "Felipe Carrillo Puerto",
        "lat": 19.58,
        "lng": -88.05,
        "members": 178,
        "women_members": 31,
        "indigenous_community": "Maya",
        "certifications": ["organico_mexico", "marca_colectiva"],
        "sdgs": [8, 12, 13, 15],
        "founded_year": 1938,
        "description": (
            "Ejido maya de la zona centro de Quintana Roo con más de 20 mil hectáreas de selva bajo manejo "
            "forestal comunitario. Desde los años treinta trabajamos el chicle y hoy también aprovechamos "
            "madera tropical con plan de manejo autorizado, sin cambiar el uso del suelo. El turismo "
            "comunitario nos ayuda a que los jóvenes se queden en el ejido."
        ),
        "listings": [
            {
                "title": "Chicle natural de chicozapote, bloque por kilo",
                "description": (
                    "Resina de chicozapote extraída a machete en temporada de lluvias y cocida en paila, "
                    "como lo hacen los chicleros desde hace generaciones. Bloques de 10 a 12 kg, certificado "
                    "orgánico."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "kg",
                "price_cents": 26000,
                "tiers": [(100, 22000), (1000, 19000)],
                "stock": 3000,
                "minimum_order": 10,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Goma de mascar de chicle natural, caja de 12 paquetes",
                "description": (
                    "Goma de mascar biodegradable hecha con chicle natural, endulzada con azúcar de caña y "
                    "sabor menta o canela. Cada paquete trae 10 pastillas."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "caja",
                "price_cents": 42000,
                "tiers": [(10, 38000), (50, 34000)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["23", "31"],
                "national_shipping": True,
            },
            {
                "title": "Madera aserrada de chechén certificada, por tonelada",
                "description": (
                    "Chechén secado al aire y estufado, en medidas comerciales de 1 a 2 pulgadas. Proviene "
                    "del área de corta anual autorizada y se entrega con remisión forestal."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "t",
                "price_cents": 2400000,
                "tiers": [(10, 2250000), (30, 2100000)],
                "stock": 120,
                "minimum_order": 2,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": ["23", "31", "04"],
                "national_shipping": True,
            },
            {
                "title": "Tabla de tzalam cepillada, 1 × 12 pulgadas × 8 pies",
                "description": (
                    "Tzalam de veta fina y color miel, muy estable, ideal para cubiertas, puertas y "
                    "lambrines. Tabla cepillada por cuatro caras."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 95000,
                "tiers": [(50, 88000), (200, 82000)],
                "stock": 900,
                "minimum_order": 1,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["23", "31"],
                "national_shipping": True,
            },
            {
                "title": "Mesa de comedor de caoba y chechén para 6 personas",
                "description": (
                    "Mesa de 1.80 × 0.90 m con cubierta de chechén y patas de caoba, ensamblada por el "
                    "taller de carpintería del ejido. Acabado con aceite natural."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 2450000,
                "tiers": [],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 45,
                "pickup": True,
                "delivery_states": ["23", "31"],
                "national_shipping": True,
            },
            {
                "title": "Carbón vegetal de residuos forestales, por kilo",
                "description": (
                    "Carbón de ramas y puntas que quedan del aprovechamiento maderable, hecho en horno "
                    "controlado. Enciende rápido y casi no echa chispas. Costales de 20 kg."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "kg",
                "price_cents": 2200,
                "tiers": [(200, 1900), (1000, 1600)],
                "stock": 15000,
                "minimum_order": 20,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["23"],
                "national_shipping": False,
            },
            {
                "title": "Recorrido al campamento chiclero con comida maya",
                "description": (
                    "Salida de día completo a la selva: los chicleros muestran cómo se pica el árbol y se "
                    "cuece la resina. Incluye transporte desde la cabecera y comida de pibil."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 95000,
                "tiers": [(8, 85000)],
                "stock": 400,
                "minimum_order": 2,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Cabaña ecológica en la selva, noche para 4 personas",
                "description": (
                    "Cabaña de madera del ejido con baño seco, energía solar y mosquiteros, a orillas de una "
                    "aguada. Incluye desayuno y observación de aves al amanecer."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 180000,
                "tiers": [],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Palenqueros Unidos de Matatlán, S.S.S.",
        "slug": "palenqueros-matatlan",
        "legal_form": "sss",
        "rfc": "PUM040917915",
        "state": "20",
        "municipality": "Santiago Matatlán",
        "lat": 16.86,
        "lng": -96.38,
        "members": 46,
        "women_members": 12,
        "indigenous_community": "Zapoteco",
        "certifications": ["do_mezcal", "marca_colectiva"],
        "sdgs": [1, 8, 12, 15],
        "founded_year": 2004,
        "description": (
            "Somos familias zapotecas de maestros mezcaleros de Matatlán que destilan en alambique de cobre "
            "y horno de tierra, como nuestros abuelos. Nos unimos para certificar y embotellar con marca "
            "propia en lugar de vender a granel a las grandes marcas. Por cada agave silvestre que "
            "cosechamos sembramos diez en el vivero comunitario."
        ),
        "listings": [
            {
                "title": "Mezcal espadín joven 48°, botella de 750 ml",
                "description": (
                    "Mezcal 100 % agave espadín de ocho años, cocido en horno cónico de piedra, molido en "
                    "tahona y doble destilado en cobre. Notas a fruta cocida y humo suave."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 55000,
                "tiers": [(12, 49000), (60, 45000)],
                "stock": 900,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal tobalá silvestre 47°, botella de 750 ml",
                "description": (
                    "Tobalá recolectado en laderas de la sierra, de 12 a 15 años de maduración. Lote pequeño "
                    "numerado, con aroma floral y final mineral."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 115000,
                "tiers": [],
                "stock": 180,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal ensamble espadín y cuishe 49°, 750 ml",
                "description": (
                    "Ensamble de espadín cultivado y cuishe silvestre. Cuerpo robusto, notas herbales y de "
                    "pimienta."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 85000,
                "tiers": [],
                "stock": 240,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal de pechuga, edición de Día de Muertos, 750 ml",
                "description": (
                    "Tercera destilación con frutas de temporada, especias y pechuga de guajolote, como se "
                    "hace para las fiestas del pueblo. Sólo se destila una vez al año."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 119000,
                "tiers": [],
                "stock": 60,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal espadín certificado a granel, por litro",
                "description": (
                    "Mezcal espadín joven certificado para bares y restaurantes, en garrafón de 20 l con "
                    "holograma y análisis fisicoquímico del lote. Precio por litro; pedido mínimo de un "
                    "garrafón."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "l",
                "price_cents": 42000,
                "tiers": [(100, 38000), (500, 34000)],
                "stock": 4000,
                "minimum_order": 20,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal espadín joven, caja de 12 botellas de 750 ml",
                "description": (
                    "Caja de cartón corrugado con separadores, lista para distribución. Precio especial para "
                    "tiendas, hoteles y eventos."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "caja",
                "price_cents": 588000,
                "tiers": [(5, 552000), (20, 528000)],
                "stock": 75,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Sal de gusano de maguey, 100 g",
                "description": (
                    "Sal de mar molida en metate con chile pasilla oaxaqueño y gusano de maguey tostado. "
                    "Acompaña el mezcal con gajos de naranja."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 9500,
                "tiers": [(24, 8200)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Visita al palenque y cata de cinco mezcales",
                "description": (
                    "Recorrido guiado por el palenque familiar: jima, horno, tahona y alambique. Termina con "
                    "cata de cinco mezcales y botana de tlayudas."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 65000,
                "tiers": [],
                "stock": 500,
                "minimum_order": 2,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Unión de Productores de Mezcal Papalote de la Montaña Baja, SPR de RI",
        "slug": "papalote-montana",
        "legal_form": "union_spr_aric",
        "rfc": "UPM110322SE2",
        "state": "12",
        "municipality": "Chilapa de Álvarez",
        "lat": 17.59,
        "lng": -99.18,
        "members": 58,
        "women_members": 19,
        "indigenous_community": "Nahua",
        "certifications": ["do_mezcal"],
        "sdgs": [1, 8, 13, 15],
        "founded_year": 2011,
        "description": (
            "Sociedad de producción rural que agrupa a pequeños mezcaleros nahuas de la Montaña Baja de "
            "Guerrero. Destilamos agave papalote (Agave cupreata) que crece en los cerros de encino, y desde "
            "2011 mantenemos un vivero para reforestar lo que aprovechamos. También sostenemos el trabajo de "
            "las reboceras de Chilapa."
        ),
        "listings": [
            {
                "title": "Mezcal papalote (Agave cupreata) 46°, 750 ml",
                "description": (
                    "Mezcal joven de papalote semicultivado, cocido en horno de piso y destilado en "
                    "alambique de cobre con montera de madera. Sabor dulce, herbal y ligeramente ahumado."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 78000,
                "tiers": [(12, 70000)],
                "stock": 500,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["12", "17"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal papalote reposado 8 meses, 750 ml",
                "description": (
                    "Reposado en barricas de roble blanco usadas durante ocho meses. Conserva el carácter "
                    "del agave con notas de vainilla y madera."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 92000,
                "tiers": [],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["12"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal papalote a granel, garrafa de 20 litros",
                "description": (
                    "Mezcal joven certificado en garrafas de 20 l, para coctelería y bares. Precio por "
                    "litro, entregamos ficha técnica y certificado del lote."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "l",
                "price_cents": 38000,
                "tiers": [(100, 34500), (400, 32000)],
                "stock": 3000,
                "minimum_order": 20,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["12", "17", "09"],
                "national_shipping": True,
            },
            {
                "title": "Mezcal papalote, caja de 6 botellas de 750 ml",
                "description": (
                    "Seis botellas de mezcal joven de papalote en caja de cartón reciclado con separadores. "
                    "Precio especial para bares, tiendas y regalos de fin de año."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "caja",
                "price_cents": 432000,
                "tiers": [(5, 408000), (20, 384000)],
                "stock": 80,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["12", "09"],
                "national_shipping": True,
            },
            {
                "title": "Planta de maguey papalote de vivero, por pieza",
                "description": (
                    "Plantas de un año producidas en nuestro vivero a partir de semilla, listas para "
                    "reforestación o nuevas plantaciones. Pedido mínimo de 50 plantas."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 2500,
                "tiers": [(500, 2000), (2000, 1600)],
                "stock": 20000,
                "minimum_order": 50,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": ["12", "17"],
                "national_shipping": False,
            },
            {
                "title": "Mole rojo de Chilapa en pasta, 500 g",
                "description": (
                    "Mole molido en molino de piedra con chiles guajillo y ancho, ajonjolí, cacao y "
                    "especias. Se disuelve en caldo; rinde para 10 personas."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 14000,
                "tiers": [(12, 12500)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["12"],
                "national_shipping": True,
            },
            {
                "title": "Rebozo de algodón teñido con añil, hecho en Chilapa",
                "description": (
                    "Rebozo de algodón jaspeado, teñido con añil y tejido en telar de pedal por reboceras de "
                    "Chilapa. Rapacejo anudado a mano."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 120000,
                "tiers": [],
                "stock": 30,
                "minimum_order": 1,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Ruta del mezcal en la Montaña Baja, día completo",
                "description": (
                    "Salida desde Chilapa a dos palenques de la unión, con comida en casa de una familia "
                    "mezcalera y visita al vivero de papalote. Incluye transporte y degustación."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 120000,
                "tiers": [],
                "stock": 160,
                "minimum_order": 4,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Taller Cooperativo de Laqueadores Tlapalli, S.C. de R.L.",
        "slug": "laqueadores-tlapalli",
        "legal_form": "coop_produccion",
        "rfc": "TCL9501266V4",
        "state": "12",
        "municipality": "Olinalá",
        "lat": 17.78,
        "lng": -98.74,
        "members": 37,
        "women_members": 20,
        "indigenous_community": "Nahua",
        "certifications": ["do_olinala", "marca_colectiva"],
        "sdgs": [8, 11, 12, 15],
        "founded_year": 1995,
        "description": (
            "Familias de laqueadores de Olinalá que trabajamos la madera de linaloe con la técnica "
            "prehispánica del rayado y del dorado. Tlapalli significa «color» en náhuatl. Usamos tierras, "
            "aceite de chía y pigmentos naturales, y mantenemos una plantación de linaloe para no agotar el "
            "árbol."
        ),
        "listings": [
            {
                "title": "Baúl de linaloe laqueado y rayado a mano, 60 cm",
                "description": (
                    "Baúl de madera aromática de linaloe con laca de dos capas rayada con púa de guajolote: "
                    "flores, aves y venados. Se hace sobre pedido."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 480000,
                "tiers": [],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 40,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Cajita de linaloe con laca dorada, 15 cm",
                "description": (
                    "Caja pequeña con tapa, decorada con la técnica de dorado con pincel de pelo de gato. "
                    "Conserva el aroma del linaloe por años."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 65000,
                "tiers": [(10, 58000), (40, 52000)],
                "stock": 60,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Jícara laqueada con técnica de rayado",
                "description": (
                    "Jícara de güiro laqueada en rojo y negro con motivos vegetales rayados. Pieza "
                    "decorativa."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 42000,
                "tiers": [(12, 37000)],
                "stock": 80,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Charola laqueada de linaloe, 40 cm",
                "description": (
                    "Charola rectangular laqueada y dorada a mano. Resiste el uso, pero no se mete al agua."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 110000,
                "tiers": [],
                "stock": 30,
                "minimum_order": 1,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Máscara de tigre laqueada de Olinalá",
                "description": (
                    "Máscara de tigre tallada en madera de zompantle y laqueada, como las que se usan en la "
                    "danza de los tecuanes. Mide alrededor de 25 cm y trae gancho para colgar."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 160000,
                "tiers": [],
                "stock": 15,
                "minimum_order": 1,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Aceite esencial de linaloe, 15 ml",
                "description": (
                    "Destilado por arrastre de vapor de las cáscaras de linaloe de nuestra plantación. Aroma "
                    "cítrico y amaderado; para aromaterapia y perfumería."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 32000,
                "tiers": [(12, 28500)],
                "stock": 120,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Cajitas laqueadas para regalo corporativo, caja de 12",
                "description": (
                    "Doce cajitas de linaloe con un diseño común, que puede incluir el logotipo o las "
                    "iniciales de su organización. Se elaboran sobre pedido."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "caja",
                "price_cents": 660000,
                "tiers": [(5, 612000)],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 45,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Taller de laca tradicional para grupos, 5 horas",
                "description": (
                    "Las maestras laqueadoras enseñan a preparar la laca, aplicar el rayado y dorar una "
                    "pequeña pieza que cada quien se lleva. Incluye comida."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 90000,
                "tiers": [],
                "stock": 120,
                "minimum_order": 4,
                "lead_time_days": 14,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Colectivo de Mujeres Purépechas Tsïtsïki Uarhiti, A.C.",
        "slug": "tsitsiki-uarhiti",
        "legal_form": "otra",
        "rfc": None,
        "state": "16",
        "municipality": "Cherán",
        "lat": 19.68,
        "lng": -101.95,
        "members": 42,
        "women_members": 42,
        "indigenous_community": "Purépecha",
        "certifications": ["participativa"],
        "sdgs": [3, 5, 8, 12, 15],
        "founded_year": 2013,
        "description": (
            "Colectivo de mujeres purépechas de la Meseta que rescata la herbolaria de nuestras abuelas y la "
            "convierte en jabones, pomadas y champús. Recolectamos resina y plantas del bosque comunal con "
            "permiso de la asamblea, y también sembramos maíz nativo y hacemos conservas de frutos "
            "silvestres. El nombre quiere decir «mujer flor»."
        ),
        "listings": [
            {
                "title": "Jabón artesanal de resina de pino y romero, 110 g",
                "description": (
                    "Jabón de saponificación en frío con aceite de oliva, resina de pino del bosque comunal "
                    "y romero del huerto. Aroma fresco; ayuda a la piel grasa."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 6500,
                "tiers": [(24, 5600), (100, 5000)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["16"],
                "national_shipping": True,
            },
            {
                "title": "Pomada de árnica y toronjil, 60 g",
                "description": (
                    "Pomada tradicional para golpes y dolores musculares, hecha con árnica silvestre, "
                    "toronjil y cera de abeja. Uso externo."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 11000,
                "tiers": [(12, 9800)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["16"],
                "national_shipping": True,
            },
            {
                "title": "Champú sólido de ortiga y romero, 90 g",
                "description": (
                    "Barra de champú sin sulfatos ni empaque de plástico, equivale a tres botellas de champú "
                    "líquido. Para cabello graso o con caspa."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 14000,
                "tiers": [(12, 12500)],
                "stock": 180,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["16"],
                "national_shipping": True,
            },
            {
                "title": "Kit de cosmética natural para regalo corporativo, caja de 12",
                "description": (
                    "Doce estuches de cartón reciclado con jabón, pomada y bálsamo, con tarjeta de la socia "
                    "que los elaboró. Se arma sobre pedido y se puede personalizar."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "caja",
                "price_cents": 150000,
                "tiers": [(10, 138000), (50, 126000)],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": ["16"],
                "national_shipping": True,
            },
            {
                "title": "Mermelada de zarzamora silvestre, 320 g",
                "description": (
                    "Zarzamora recolectada en las orillas del bosque y cocida en cazo de cobre con poca "
                    "azúcar. Sin conservadores ni pectina añadida."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 8500,
                "tiers": [(12, 7500), (48, 6800)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["16"],
                "national_shipping": True,
            },
            {
                "title": "Maíz nativo azul purépecha, por kilo",
                "description": (
                    "Maíz azul de semilla propia, sembrado en milpa con frijol y calabaza sin herbicidas. "
                    "Ideal para tortillas, atoles y tamales."
                ),
                "category": "maiz-granos",
                "kind": "good",
                "unit": "kg",
                "price_cents": 3800,
                "tiers": [(50, 3200), (500, 2800)],
                "stock": 4000,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["16"],
                "national_shipping": True,
            },
            {
                "title": "Blusa purépecha bordada en punto de cruz",
                "description": (
                    "Blusa de popelina con pechera bordada en punto de cruz con pájaros y flores, al estilo "
                    "de la Meseta. Tallas CH a G."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 115000,
                "tiers": [],
                "stock": 25,
                "minimum_order": 1,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Rebozo purépecha de algodón rayado",
                "description": (
                    "Rebozo tejido en telar de cintura en azul y negro, con rapacejo anudado por las socias "
                    "mayores. Mide 2.20 m sin contar las puntas."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 135000,
                "tiers": [],
                "stock": 20,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
        ],
    },
    {
        "name": "Sociedad Cooperativa Vainilla Perfumada del Totonacapan",
        "slug": "vainilla-totonacapan",
        "legal_form": "coop_produccion",
        "rfc": "VPT030408CH5",
        "state": "30",
        "municipality": "Papantla",
        "lat": 20.45,
        "lng": -97.32,
        "members": 96,
        "women_members": 38,
        "indigenous_community": "Totonaco",
        "certifications": ["do_vainilla_papantla", "organico_mexico"],
        "sdgs": [1, 8, 12, 15],
        "founded_year": 2003,
        "description": (
            "Productores totonacos que cultivamos vainilla en acahuales y naranjales, polinizando cada flor "
            "a mano. Beneficiamos la vainilla con el método tradicional de sudado al sol y en cajones "
            "durante cuatro a seis meses. La cooperativa nos permitió salir del robo de vainilla verde y de "
            "los precios de remate."
        ),
        "listings": [
            {
                "title": "Vainilla beneficiada gourmet grado A, paquete de 10 vainas",
                "description": (
                    "Vainas enteras de 16 a 20 cm, flexibles y aceitosas, con 25 a 30 % de humedad. "
                    "Empacadas al vacío en tubo de vidrio."
                ),
                "category": "vainilla",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 58000,
                "tiers": [(12, 52000), (50, 47000)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Vainilla beneficiada grado A a granel, por kilo",
                "description": (
                    "Para pastelerías, chocolaterías y heladerías. Aproximadamente 250 vainas por kilo, "
                    "empacadas al vacío en bolsas de 500 g con certificado de denominación de origen."
                ),
                "category": "vainilla",
                "kind": "good",
                "unit": "kg",
                "price_cents": 1250000,
                "tiers": [(5, 1180000), (20, 1100000)],
                "stock": 80,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Vainilla grado extracción (picadura), por kilo",
                "description": (
                    "Vainas partidas o más secas, con el mismo aroma y vainillina, ideales para extractos y "
                    "licores. Empaque al vacío."
                ),
                "category": "vainilla",
                "kind": "good",
                "unit": "kg",
                "price_cents": 720000,
                "tiers": [(10, 680000)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Extracto natural de vainilla de Papantla, 250 ml",
                "description": (
                    "Extracto puro de vainas maceradas durante seis meses en alcohol de caña, sin cumarina "
                    "ni saborizantes artificiales. Botella de vidrio ámbar; una cucharadita aromatiza un "
                    "litro de atole."
                ),
                "category": "vainilla",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 38000,
                "tiers": [(12, 34000), (48, 31000)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Vainilla en polvo pura, 30 g",
                "description": (
                    "Vainas enteras secadas y molidas finamente, sin azúcar ni rellenos. Un cuarto de "
                    "cucharadita aromatiza un pastel completo."
                ),
                "category": "vainilla",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 26000,
                "tiers": [],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Figura tejida con vainas de vainilla",
                "description": (
                    "Flores, alacranes o canastitas tejidas a mano con vainas beneficiadas, una tradición de "
                    "Papantla. Perfuman armarios y cajones por años."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 22000,
                "tiers": [(10, 19000)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Licor de vainilla artesanal, 750 ml",
                "description": (
                    "Licor de aguardiente de caña macerado con vainilla de la cooperativa y endulzado con "
                    "piloncillo. 24 % Alc. Vol."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 32000,
                "tiers": [(12, 28500)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Recorrido por vainillales y beneficio tradicional",
                "description": (
                    "Visita a una parcela de vainilla en temporada de floración o de cosecha, y al patio "
                    "donde se sudan las vainas. A 20 minutos de la zona arqueológica de El Tajín."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 40000,
                "tiers": [],
                "stock": 300,
                "minimum_order": 2,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Unión de Ejidos Cafetaleros Cumbres de Huatusco",
        "slug": "cumbres-huatusco",
        "legal_form": "union_spr_aric",
        "rfc": "UEC8911078A8",
        "state": "30",
        "municipality": "Huatusco",
        "lat": 19.15,
        "lng": -96.97,
        "members": 640,
        "women_members": 198,
        "indigenous_community": None,
        "certifications": ["do_cafe_veracruz", "organico_mexico", "fairtrade"],
        "sdgs": [1, 8, 12, 13],
        "founded_year": 1989,
        "description": (
            "Unión de once ejidos cafetaleros del centro de Veracruz, formada tras la caída de los precios "
            "de 1989 para comercializar en conjunto. Tenemos beneficio seco, laboratorio de catación y "
            "tostadora, y vendemos tanto a cafeterías de especialidad como a instituciones. Además del café "
            "diversificamos con macadamia, chayote y licores."
        ),
        "listings": [
            {
                "title": "Café de Huatusco tostado en grano, 1 kg",
                "description": (
                    "Café de altura con denominación de origen Café Veracruz. Tueste medio, cuerpo sedoso y "
                    "notas a caramelo, almendra y naranja."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "kg",
                "price_cents": 29000,
                "tiers": [(10, 27000), (50, 25000)],
                "stock": 900,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30", "21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Café molido tueste oscuro para espresso, 1 kg",
                "description": (
                    "Mezcla de lotes lavados con tueste oscuro y molienda fina para máquina de espresso. "
                    "Crema densa y sabor a chocolate."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "kg",
                "price_cents": 30000,
                "tiers": [(10, 28000)],
                "stock": 500,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30", "21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Microlote de especialidad variedad Typica, 340 g",
                "description": (
                    "Lote de una sola finca a 1,350 msnm, fermentación controlada y secado en camas "
                    "africanas. 86 puntos SCA: jazmín, durazno y panela."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 24000,
                "tiers": [(12, 21500)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Café verde para tostadores, saco de 69 kg",
                "description": (
                    "Café verde lavado de altura, en sacos de 69 kg. Precio por kilo; se vende por saco "
                    "completo y entregamos muestra de 300 g antes de la compra."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "kg",
                "price_cents": 16500,
                "tiers": [(345, 15800), (1380, 15000)],
                "stock": 20700,
                "minimum_order": 69,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Café tostado a granel para cafeterías, por tonelada",
                "description": (
                    "Para cadenas de cafeterías, comedores institucionales y hoteles. Tueste a la medida del "
                    "cliente, empacado en bolsas de 1 kg o 5 kg con válvula."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "t",
                "price_cents": 26000000,
                "tiers": [(3, 25000000), (10, 24000000)],
                "stock": 12,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": ["30", "21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Licor de café artesanal, 750 ml",
                "description": (
                    "Licor de aguardiente de caña y café de la unión, con vainilla y piloncillo. 20 % Alc. "
                    "Vol."
                ),
                "category": "mezcal-destilados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 26000,
                "tiers": [(12, 23000)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Nuez de macadamia en cáscara, por kilo",
                "description": (
                    "Macadamia cultivada entre los cafetales como árbol de sombra. Se vende entera, con "
                    "cáscara; se abre con cascanueces especial."
                ),
                "category": "frutas-verduras",
                "kind": "good",
                "unit": "kg",
                "price_cents": 9000,
                "tiers": [(25, 8000)],
                "stock": 1200,
                "minimum_order": 5,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["30"],
                "national_shipping": True,
            },
            {
                "title": "Chayote verde liso, caja de 20 kg",
                "description": (
                    "Chayote fresco de la zona de Huatusco y Coscomatepec, cosechado el día del envío. Ideal "
                    "para centrales de abasto y comedores."
                ),
                "category": "frutas-verduras",
                "kind": "good",
                "unit": "caja",
                "price_cents": 28000,
                "tiers": [(20, 25000), (100, 22000)],
                "stock": 1500,
                "minimum_order": 5,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["30", "21", "09"],
                "national_shipping": False,
            },
            {
                "title": "Curso de tueste y catación, 16 horas",
                "description": (
                    "Curso intensivo en nuestro laboratorio: perfiles de tueste, protocolo de catación SCA y "
                    "defectos del café verde. Grupos de hasta 10 personas."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "persona",
                "price_cents": 450000,
                "tiers": [],
                "stock": 30,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Cooperativa Cacaotera Yokot'an Kakaw, S.C. de R.L.",
        "slug": "yokotan-kakaw",
        "legal_form": "coop_produccion",
        "rfc": "CYK090219BU0",
        "state": "27",
        "municipality": "Comalcalco",
        "lat": 18.26,
        "lng": -93.22,
        "members": 73,
        "women_members": 52,
        "indigenous_community": "Chontal (Yokot'an)",
        "certifications": ["do_cacao_grijalva", "organico_mexico"],
        "sdgs": [1, 5, 8, 12, 15],
        "founded_year": 2009,
        "description": (
            "Cooperativa de familias chontales de la Chontalpa que cultivan cacao criollo y trinitario bajo "
            "sombra de cedro y chipilcoite. En 2009 construimos un centro de fermentado comunitario y "
            "después un pequeño taller de chocolate atendido sobre todo por mujeres. El cacao es parte de "
            "nuestra vida: se toma en pozol y se ofrece en las fiestas."
        ),
        "listings": [
            {
                "title": "Cacao fermentado y secado en grano, 1 kg",
                "description": (
                    "Cacao Grijalva fermentado seis días en cajones de madera y secado al sol. Grano bien "
                    "formado, ideal para chocolate artesanal o para tostar en casa."
                ),
                "category": "cacao-chocolate",
                "kind": "good",
                "unit": "kg",
                "price_cents": 32000,
                "tiers": [(25, 28000), (100, 25000)],
                "stock": 2500,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["27", "07"],
                "national_shipping": True,
            },
            {
                "title": "Cacao criollo fino en grano, por tonelada",
                "description": (
                    "Lotes trazables por parcela para chocolaterías bean to bar. Entregamos prueba de corte "
                    "y muestra de 1 kg; sacos de yute de 60 kg."
                ),
                "category": "cacao-chocolate",
                "kind": "good",
                "unit": "t",
                "price_cents": 18500000,
                "tiers": [(3, 17800000), (10, 17000000)],
                "stock": 20,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Chocolate oscuro 70 % cacao Grijalva, tableta de 80 g",
                "description": (
                    "Tableta elaborada en nuestro taller, con solo cacao y azúcar de caña. Notas a frutos "
                    "rojos y nuez. Empaque compostable."
                ),
                "category": "cacao-chocolate",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 8500,
                "tiers": [(24, 7500), (120, 6800)],
                "stock": 1200,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["27"],
                "national_shipping": True,
            },
            {
                "title": "Chocolate de mesa tradicional con canela, 500 g",
                "description": (
                    "Cacao tostado en comal y molido con azúcar y canela. Para preparar chocolate caliente "
                    "con agua o leche, batido con molinillo."
                ),
                "category": "cacao-chocolate",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 16000,
                "tiers": [(12, 14500)],
                "stock": 600,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["27"],
                "national_shipping": True,
            },
            {
                "title": "Nibs de cacao tostado, 250 g",
                "description": (
                    "Cacao tostado, descascarillado y troceado. Crujiente y amargo; para granola, yogurt o "
                    "repostería."
                ),
                "category": "cacao-chocolate",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 11000,
                "tiers": [(12, 9800)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["27"],
                "national_shipping": True,
            },
            {
                "title": "Chocolates de cacao Grijalva, caja de 12 tabletas surtidas",
                "description": (
                    "Doce tabletas de 80 g: 70 % oscuro, 55 % con leche, con chile amashito y con nibs. Para "
                    "tiendas y regalos empresariales."
                ),
                "category": "cacao-chocolate",
                "kind": "good",
                "unit": "caja",
                "price_cents": 96000,
                "tiers": [(10, 88000), (40, 80000)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["27"],
                "national_shipping": True,
            },
            {
                "title": "Pozol de cacao en polvo para preparar, 1 kg",
                "description": (
                    "Masa de maíz nixtamalizado y cacao, deshidratada y molida. Se disuelve en agua fría "
                    "para preparar el pozol tabasqueño."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "kg",
                "price_cents": 17000,
                "tiers": [(10, 15000)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["27"],
                "national_shipping": True,
            },
            {
                "title": "Manteca de cacao pura sin desodorizar, 500 g",
                "description": (
                    "Manteca prensada en frío de nuestro cacao, con su aroma natural a chocolate. Para "
                    "cremas, bálsamos y repostería."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 28000,
                "tiers": [(10, 25000)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["27"],
                "national_shipping": True,
            },
            {
                "title": "Ruta del cacao: hacienda, fermentado y taller de chocolate",
                "description": (
                    "Visita a una parcela de cacao, al centro de fermentado y al taller, donde cada quien "
                    "muele su propio chocolate en metate. Dura cuatro horas."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 55000,
                "tiers": [(10, 48000)],
                "stock": 600,
                "minimum_order": 2,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Sociedad de Producción Rural Maíces y Amarantos de Cacaxtla",
        "slug": "maices-cacaxtla",
        "legal_form": "union_spr_aric",
        "rfc": "MAC1205301F0",
        "state": "29",
        "municipality": "Nativitas",
        "lat": 19.23,
        "lng": -98.31,
        "members": 128,
        "women_members": 57,
        "indigenous_community": None,
        "certifications": ["participativa", "marca_colectiva"],
        "sdgs": [2, 3, 12, 13, 15],
        "founded_year": 2012,
        "description": (
            "Sociedad de productores tlaxcaltecas que siembran milpa con maíces nativos, frijol ayocote y "
            "amaranto, sin semillas transgénicas ni herbicidas. Reventamos y procesamos el amaranto en un "
            "taller colectivo en Nativitas, a un lado de la zona arqueológica de Cacaxtla. Formamos parte de "
            "la red de guardianes de semillas del estado."
        ),
        "listings": [
            {
                "title": "Amaranto reventado, 1 kg",
                "description": (
                    "Grano de amaranto reventado en comal, limpio y sin azúcar. Para cereal, alegrías, panes "
                    "y licuados."
                ),
                "category": "maiz-granos",
                "kind": "good",
                "unit": "kg",
                "price_cents": 9500,
                "tiers": [(10, 8500), (50, 7600)],
                "stock": 1500,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["29", "21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Amaranto en grano para industria, por tonelada",
                "description": (
                    "Grano crudo limpio y seleccionado, en costales de 25 kg. Para molinos, panificadoras y "
                    "fabricantes de cereales."
                ),
                "category": "maiz-granos",
                "kind": "good",
                "unit": "t",
                "price_cents": 4200000,
                "tiers": [(5, 3950000), (15, 3700000)],
                "stock": 40,
                "minimum_order": 1,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": ["29", "21"],
                "national_shipping": True,
            },
            {
                "title": "Alegrías de amaranto y piloncillo, caja de 24 piezas",
                "description": (
                    "Dulce tradicional de amaranto con miel de piloncillo, pasas y pepita. Cada pieza pesa "
                    "30 g; ideal para tiendas escolares."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "caja",
                "price_cents": 16800,
                "tiers": [(10, 15000), (50, 13500)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["29", "21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Granola de amaranto con arándano y nuez, 400 g",
                "description": (
                    "Avena, amaranto reventado, nuez, arándano deshidratado y miel de abeja, horneada en "
                    "pequeños lotes. Sin conservadores; bolsa resellable."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 9800,
                "tiers": [(12, 8800)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["29"],
                "national_shipping": True,
            },
            {
                "title": "Maíz azul criollo de Tlaxcala, costal de 25 kg",
                "description": (
                    "Maíz nativo de grano azul para tortillerías y restaurantes que nixtamalizan. Precio por "
                    "kilo, en costales de 25 kg."
                ),
                "category": "maiz-granos",
                "kind": "good",
                "unit": "kg",
                "price_cents": 2400,
                "tiers": [(250, 2100), (1000, 1900)],
                "stock": 30000,
                "minimum_order": 25,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["29", "21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Frijol ayocote morado, 1 kg",
                "description": (
                    "Frijol de guía que crece junto al maíz; grano grande y carnoso. Cosecha del último "
                    "ciclo."
                ),
                "category": "maiz-granos",
                "kind": "good",
                "unit": "kg",
                "price_cents": 6500,
                "tiers": [(25, 5800), (100, 5200)],
                "stock": 2000,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["29", "21"],
                "national_shipping": True,
            },
            {
                "title": "Tortillas de maíz nativo nixtamalizado, 1 kg",
                "description": (
                    "Tortillas hechas con nuestro maíz, nixtamalizado con cal y molido en molino de piedra. "
                    "Se entregan el mismo día en Tlaxcala y Puebla."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "kg",
                "price_cents": 4500,
                "tiers": [(20, 4000)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": ["29", "21"],
                "national_shipping": False,
            },
            {
                "title": "Canasta de verduras de milpa, 5 kg",
                "description": (
                    "Quelites, calabacita, chilacayote, flor de calabaza, elotes y jitomate criollo según la "
                    "temporada. Cultivo agroecológico con certificación participativa."
                ),
                "category": "frutas-verduras",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 32000,
                "tiers": [(10, 29000)],
                "stock": 60,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["29", "21"],
                "national_shipping": False,
            },
            {
                "title": "Visita a la milpa y taller de nixtamalización",
                "description": (
                    "Caminata por la milpa, explicación de los maíces nativos y taller para nixtamalizar, "
                    "moler y tortear. Termina con almuerzo de tlacoyos."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 38000,
                "tiers": [],
                "stock": 250,
                "minimum_order": 4,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Loceros Poblanos del Alto, S.C. de R.L.",
        "slug": "loceros-del-alto",
        "legal_form": "coop_produccion",
        "rfc": "LPA9810129R8",
        "state": "21",
        "municipality": "Puebla",
        "lat": 19.04,
        "lng": -98.2,
        "members": 29,
        "women_members": 11,
        "indigenous_community": None,
        "certifications": ["do_talavera", "hecho_en_mexico"],
        "sdgs": [8, 9, 11, 12],
        "founded_year": 1998,
        "description": (
            "Cooperativa de loceros del barrio del Alto, en el centro histórico de Puebla, que elabora "
            "talavera con denominación de origen: barro de dos tierras, torno, esmalte de estaño y pintura a "
            "mano con pinceles de pelo de mula. Nos organizamos en 1998, cuando cerró el taller donde "
            "trabajábamos, para no perder el oficio."
        ),
        "listings": [
            {
                "title": "Plato de talavera pintado a mano, 27 cm",
                "description": (
                    "Plato trinche decorado en azul cobalto con motivos de flores y aves. Apto para uso "
                    "diario; no se mete al microondas."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 68000,
                "tiers": [(12, 61000)],
                "stock": 80,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": ["21"],
                "national_shipping": True,
            },
            {
                "title": "Azulejo de talavera 10 × 10 cm",
                "description": (
                    "Azulejo pintado a mano en más de 30 diseños tradicionales. Para cocinas, fuentes, "
                    "escaleras y fachadas. Pedido mínimo de 10 piezas."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 7500,
                "tiers": [(100, 6800), (1000, 6000)],
                "stock": 8000,
                "minimum_order": 10,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["21", "29", "09"],
                "national_shipping": True,
            },
            {
                "title": "Juego de azulejos para cocina, caja de 100 piezas",
                "description": (
                    "Cien azulejos de 10 × 10 cm con diseño coordinado, incluye piezas de cenefa. Se pintan "
                    "sobre pedido y se entregan con plano de colocación."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "caja",
                "price_cents": 650000,
                "tiers": [(5, 610000), (20, 570000)],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": ["21", "29", "09"],
                "national_shipping": True,
            },
            {
                "title": "Tibor de talavera con tapa, 40 cm",
                "description": (
                    "Tibor torneado y pintado en azul, amarillo y verde, con tapa. Cada pieza lleva el "
                    "holograma del Consejo Regulador."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 420000,
                "tiers": [],
                "stock": 8,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Taza de talavera para café, 300 ml",
                "description": (
                    "Taza con asa, decorada a mano con flores; ideal para cafeterías que buscan vajilla "
                    "mexicana. Esmalte libre de plomo."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 26000,
                "tiers": [(12, 23000), (48, 21000)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": ["21"],
                "national_shipping": True,
            },
            {
                "title": "Vajilla de talavera para 6 personas, 30 piezas",
                "description": (
                    "Platos base, trinches, hondos, tazas y platitos para seis personas, con diseño a "
                    "elegir. Se elabora sobre pedido."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 980000,
                "tiers": [],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 45,
                "pickup": True,
                "delivery_states": ["21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Lavabo de talavera para sobreponer",
                "description": (
                    "Ovalín de 40 cm con esmalte resistente y decoración floral. Para baños de casas, "
                    "hoteles y restaurantes."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 210000,
                "tiers": [],
                "stock": 20,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": ["21", "09"],
                "national_shipping": True,
            },
            {
                "title": "Taller de pintura en talavera, 3 horas",
                "description": (
                    "Recorrido por el taller y práctica de pintura sobre un plato que se hornea y se envía a "
                    "domicilio en dos semanas. Incluye materiales y bata de trabajo."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 65000,
                "tiers": [],
                "stock": 200,
                "minimum_order": 2,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Cooperativa de Ahorro y Préstamo Masewal Tomin",
        "slug": "masewal-tomin",
        "legal_form": "coop_ahorro",
        "rfc": "CMT920727E27",
        "state": "21",
        "municipality": "Cuetzalan del Progreso",
        "lat": 20.02,
        "lng": -97.52,
        "members": 2300,
        "women_members": 1380,
        "indigenous_community": "Nahua (masewal)",
        "certifications": ["organico_mexico", "participativa"],
        "sdgs": [1, 5, 8, 10, 11, 15],
        "founded_year": 1992,
        "description": (
            "Cooperativa de ahorro y préstamo de la Sierra Nororiental de Puebla, formada por familias "
            "masewal que empezaron guardando unos pesos cada mes. Hoy, además de ahorro y crédito, "
            "comercializamos el café, la pimienta y la miel de las socias y socios, administramos un hotel "
            "cooperativo y damos capacitación a otras organizaciones."
        ),
        "listings": [
            {
                "title": "Pimienta gorda de la Sierra Norte, 1 kg",
                "description": (
                    "Pimienta gorda cosechada a mano y secada al sol en patios de las familias socias. Muy "
                    "aromática; para moles, adobos y encurtidos."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "kg",
                "price_cents": 18000,
                "tiers": [(25, 16000), (100, 14500)],
                "stock": 3000,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["21", "30"],
                "national_shipping": True,
            },
            {
                "title": "Pimienta gorda a granel para exportación, por tonelada",
                "description": (
                    "Pimienta seleccionada en costales de 50 kg, con humedad menor al 12 % y certificado "
                    "orgánico. Entrega en bodega de Cuetzalan o en puerto."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "t",
                "price_cents": 11500000,
                "tiers": [(5, 11000000)],
                "stock": 30,
                "minimum_order": 1,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Miel virgen de abeja nativa pisil nekmej, 120 ml",
                "description": (
                    "Miel de la abeja sin aguijón Scaptotrigona mexicana, cosechada en ollas de barro. Sabor "
                    "ácido y afrutado; se usa como remedio tradicional."
                ),
                "category": "miel",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 22000,
                "tiers": [(12, 19500)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["21"],
                "national_shipping": True,
            },
            {
                "title": "Café orgánico de Cuetzalan tostado y molido, 500 g",
                "description": (
                    "Café de cafetales bajo sombra de chalahuite y naranjo, tueste medio. Sabor dulce y "
                    "acidez baja."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 15500,
                "tiers": [(12, 14000), (48, 12800)],
                "stock": 600,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["21", "30"],
                "national_shipping": True,
            },
            {
                "title": "Café de Cuetzalan tostado, caja de 12 bolsas de 500 g",
                "description": (
                    "Presentación institucional para comedores, oficinas y tiendas, en grano o molido. Cada "
                    "bolsa lleva válvula desgasificadora y fecha de tueste."
                ),
                "category": "cafe",
                "kind": "good",
                "unit": "caja",
                "price_cents": 165000,
                "tiers": [(5, 156000), (20, 148000)],
                "stock": 90,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["21", "30", "09"],
                "national_shipping": True,
            },
            {
                "title": "Quechquémitl bordado nahua de Cuetzalan",
                "description": (
                    "Prenda de gasa de algodón con bordado de pepenado en colores vivos, elaborada por "
                    "socias artesanas. Pieza única."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 145000,
                "tiers": [],
                "stock": 20,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Bambú tratado para construcción, vara de 6 m",
                "description": (
                    "Bambú Guadua de plantaciones de las socias, tratado con sales de boro y secado bajo "
                    "techo. Diámetro de 10 a 12 cm."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 18000,
                "tiers": [(100, 15500), (500, 13500)],
                "stock": 5000,
                "minimum_order": 10,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["21", "30"],
                "national_shipping": False,
            },
            {
                "title": "Hospedaje en hotel cooperativo, noche en habitación doble",
                "description": (
                    "Habitación en el hotel ecológico de la cooperativa, construido con bambú y materiales "
                    "locales, con desayuno y recorrido por el jardín de plantas medicinales. El centro de "
                    "Cuetzalan queda a diez minutos a pie."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 140000,
                "tiers": [],
                "stock": 2000,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Taller de educación financiera para cooperativas, 8 horas",
                "description": (
                    "Nuestro equipo de formación imparte el taller en su comunidad: ahorro, crédito "
                    "responsable, fondos de emergencia y control interno. Hasta 30 participantes."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 850000,
                "tiers": [],
                "stock": 24,
                "minimum_order": 1,
                "lead_time_days": 21,
                "pickup": False,
                "delivery_states": ["21", "30", "13", "29"],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Ejido Forestal Cumbres del Espinazo",
        "slug": "cumbres-del-espinazo",
        "legal_form": "ejido",
        "rfc": "ECE5204151RA",
        "state": "10",
        "municipality": "Pueblo Nuevo",
        "lat": 23.78,
        "lng": -105.37,
        "members": 260,
        "women_members": 44,
        "indigenous_community": None,
        "certifications": ["hecho_en_mexico", "marca_colectiva"],
        "sdgs": [8, 12, 13, 15],
        "founded_year": 1952,
        "description": (
            "Ejido de la Sierra Madre Occidental que maneja sus bosques de pino y encino desde hace más de "
            "40 años, con aserradero, secadora y taller de muebles propios. Las utilidades se reparten entre "
            "los ejidatarios y se invierten en brechas cortafuego, reforestación y becas. Cuidamos el bosque "
            "porque de él vivimos."
        ),
        "listings": [
            {
                "title": "Madera aserrada de pino de manejo certificado, por tonelada",
                "description": (
                    "Pino secado en estufa al 12 % de humedad, clasificado por calidades. Con documentación "
                    "forestal que acredita su origen legal."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "t",
                "price_cents": 1180000,
                "tiers": [(20, 1120000), (60, 1050000)],
                "stock": 800,
                "minimum_order": 5,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": ["10", "25", "05", "32"],
                "national_shipping": True,
            },
            {
                "title": "Tabla de pino cepillada 1 × 10 pulgadas × 8 pies",
                "description": (
                    "Tabla de pino de primera, cepillada y dimensionada, para carpintería y muebles. Se "
                    "vende por pieza, con descuento por volumen."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 28000,
                "tiers": [(50, 25000), (500, 22500)],
                "stock": 6000,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["10", "25"],
                "national_shipping": True,
            },
            {
                "title": "Resina de pino cruda para destilación, por kilo",
                "description": (
                    "Resina obtenida con la técnica de pica de corteza, sin dañar el árbol. En tambos de 200 "
                    "kg, para destilerías de aguarrás y brea."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "kg",
                "price_cents": 2800,
                "tiers": [(1000, 2500), (10000, 2200)],
                "stock": 40000,
                "minimum_order": 200,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["10"],
                "national_shipping": True,
            },
            {
                "title": "Aguarrás natural de resina de pino, por litro",
                "description": (
                    "Trementina destilada de nuestra resina, sin derivados del petróleo. Para pintura al "
                    "óleo, barnices y limpieza de pinceles."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "l",
                "price_cents": 9500,
                "tiers": [(20, 8500)],
                "stock": 500,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["10"],
                "national_shipping": True,
            },
            {
                "title": "Comedor rústico de pino para 8 personas",
                "description": (
                    "Mesa de 2.20 m y ocho sillas de pino macizo, con ensambles de caja y espiga y acabado "
                    "en cera natural. Se fabrica sobre pedido en el taller del ejido."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 1650000,
                "tiers": [],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": ["10", "25"],
                "national_shipping": True,
            },
            {
                "title": "Tarima de pino para carga, 1.20 × 1.00 m",
                "description": (
                    "Tarima de cuatro entradas con tratamiento térmico NIMF-15 para exportación. Pedido "
                    "mínimo de 20 piezas."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 22000,
                "tiers": [(100, 19500), (500, 17500)],
                "stock": 3000,
                "minimum_order": 20,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": ["10", "25", "05", "32"],
                "national_shipping": False,
            },
            {
                "title": "Leña seca de encino de aprovechamiento autorizado, por tonelada",
                "description": (
                    "Leña de encino de aclareos y residuos del plan de manejo, secada seis meses. Para "
                    "restaurantes, panaderías y chimeneas."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "t",
                "price_cents": 320000,
                "tiers": [(5, 290000)],
                "stock": 500,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["10"],
                "national_shipping": False,
            },
            {
                "title": "Cabaña en el bosque para 6 personas, por noche",
                "description": (
                    "Cabaña de madera con chimenea y cocineta, cerca del mirador del Espinazo del Diablo. "
                    "Senderos, ciclismo de montaña y observación de aves."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 220000,
                "tiers": [],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Capacitación en manejo forestal comunitario, 3 días",
                "description": (
                    "Nuestros técnicos comunitarios capacitan a otros ejidos en inventario forestal, "
                    "aserrío, organización de empresas forestales y rendición de cuentas a la asamblea. "
                    "Incluye visitas al aserradero y a las áreas de corta del ejido."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 4500000,
                "tiers": [],
                "stock": 6,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": ["10", "08", "20", "16"],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Comunidad Zapoteca de San Isidro Yelagui",
        "slug": "san-isidro-yelagui",
        "legal_form": "comunidad",
        "rfc": None,
        "state": "20",
        "municipality": "Ixtlán de Juárez",
        "lat": 17.33,
        "lng": -96.49,
        "members": 384,
        "women_members": 96,
        "indigenous_community": "Zapoteco",
        "certifications": ["hecho_en_mexico", "participativa"],
        "sdgs": [6, 8, 12, 13, 15],
        "founded_year": 1974,
        "description": (
            "Comunidad agraria zapoteca de la Sierra Juárez que administra su bosque de pino-encino y de "
            "niebla por acuerdo de asamblea. Tenemos empresas comunales de ecoturismo, carpintería, "
            "truticultura y agua purificada; los cargos se cumplen como servicio a la comunidad. Lo que "
            "ganamos se queda en la comunidad: caminos, clínica y apoyo a los comuneros mayores."
        ),
        "listings": [
            {
                "title": "Cabaña de madera en el bosque de niebla, noche para 4 personas",
                "description": (
                    "Cabaña de pino certificado con chimenea, baño completo y terraza con vista a la sierra. "
                    "El comedor comunitario sirve comida serrana a precio justo."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 165000,
                "tiers": [],
                "stock": 700,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Caminata guiada por el bosque mesófilo, 6 horas",
                "description": (
                    "Recorrido con guía comunitario por senderos de bosque de niebla, con orquídeas, "
                    "helechos arborescentes y aves endémicas. Incluye refrigerio."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 45000,
                "tiers": [(10, 39000)],
                "stock": 800,
                "minimum_order": 2,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Recorrido en bicicleta de montaña con equipo incluido",
                "description": (
                    "Ruta de 25 km por caminos forestales y brechas, con bicicleta, casco y guía. Nivel "
                    "intermedio."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 75000,
                "tiers": [],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Tirolesa y puente colgante en la cañada",
                "description": (
                    "Circuito de cuatro tirolesas y un puente colgante sobre la cañada del río, operado por "
                    "comuneros capacitados en rescate. Edad mínima de 8 años; incluye arnés y casco."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 35000,
                "tiers": [],
                "stock": 2000,
                "minimum_order": 1,
                "lead_time_days": 0,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Trucha arcoíris fresca de granja comunitaria, por kilo",
                "description": (
                    "Trucha criada en estanques alimentados por agua de manantial, entera y eviscerada. "
                    "Entrega refrigerada en Ixtlán y la ciudad de Oaxaca."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "kg",
                "price_cents": 19000,
                "tiers": [(10, 17000), (50, 15500)],
                "stock": 600,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": False,
            },
            {
                "title": "Mesa de trabajo de pino certificado, 1.50 m",
                "description": (
                    "Mesa maciza hecha en la carpintería comunal con madera del bosque certificado. Acabado "
                    "con barniz base agua."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 720000,
                "tiers": [],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Silla de pino certificado para comedor",
                "description": (
                    "Silla resistente para restaurantes y comedores escolares, con asiento tejido de tule. "
                    "Se fabrica sobre pedido."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 210000,
                "tiers": [(12, 190000), (48, 175000)],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Pupitre escolar individual de pino",
                "description": (
                    "Mobiliario escolar de pino con paleta amplia y estructura ensamblada, para escuelas "
                    "públicas y comunitarias. Pedido mínimo de 10 piezas."
                ),
                "category": "forestales",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 180000,
                "tiers": [(50, 165000), (200, 150000)],
                "stock": None,
                "minimum_order": 10,
                "lead_time_days": 45,
                "pickup": True,
                "delivery_states": ["20", "21"],
                "national_shipping": True,
            },
            {
                "title": "Agua de manantial purificada, garrafón de 20 l",
                "description": (
                    "Agua de manantial comunitario purificada por ósmosis y luz ultravioleta. Garrafón "
                    "retornable; se entrega en la Sierra Juárez y en la ciudad de Oaxaca."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 4500,
                "tiers": [(20, 3800)],
                "stock": 2000,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Cooperativa de Tejedoras Lanas del Valle de Teotitlán",
        "slug": "lanas-teotitlan",
        "legal_form": "coop_produccion",
        "rfc": "TLV020322830",
        "state": "20",
        "municipality": "Teotitlán del Valle",
        "lat": 17.03,
        "lng": -96.52,
        "members": 34,
        "women_members": 26,
        "indigenous_community": "Zapoteco",
        "certifications": ["wfto", "marca_colectiva"],
        "sdgs": [5, 8, 12, 15],
        "founded_year": 2002,
        "description": (
            "Tejedoras zapotecas de Teotitlán del Valle que hilan y tiñen lana con grana cochinilla, añil, "
            "pericón y musgo, y tejen en telar de pedal. Nos organizamos como mujeres para vender "
            "directamente, porque durante años los intermediarios pagaban la pieza por debajo de su costo. "
            "Mostramos todo el proceso a quien nos visita."
        ),
        "listings": [
            {
                "title": "Tapete de lana teñido con grana cochinilla, 60 × 120 cm",
                "description": (
                    "Tapete de lana de borrego hilada a mano, con rojos y rosas de grana cochinilla y diseño "
                    "de diamantes zapotecos. Aproximadamente tres semanas de trabajo."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 380000,
                "tiers": [],
                "stock": 12,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Tapete de lana con grecas de Mitla, 120 × 180 cm",
                "description": (
                    "Tapete grande con grecas inspiradas en Mitla, en añil, nuez y lana natural. Urdimbre de "
                    "algodón y tejido apretado."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 980000,
                "tiers": [],
                "stock": 6,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Tapete de lana a la medida, hasta 2 × 3 m",
                "description": (
                    "Diseñamos juntos colores y medidas; enviamos fotos del avance. Anticipo del 50 % al "
                    "iniciar el trabajo."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 2400000,
                "tiers": [],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 60,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Bolsa de lana tejida en telar de pedal",
                "description": (
                    "Bolsa con forro de manta y asa de piel curtida vegetal, tejida con lana teñida de forma "
                    "natural. Mide 30 × 35 cm y cierra con botón de madera."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 85000,
                "tiers": [(10, 76000)],
                "stock": 40,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Cojín de lana teñido con añil, 45 × 45 cm",
                "description": (
                    "Funda de cojín de lana con cierre, en tonos azules de añil. No incluye relleno."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 62000,
                "tiers": [(10, 56000), (30, 51000)],
                "stock": 50,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Estambre de lana hilado a mano, madeja de 100 g",
                "description": (
                    "Lana cardada e hilada en malacate y teñida con tintes naturales, para tejido y bordado. "
                    "Los colores disponibles cambian según la temporada de teñido."
                ),
                "category": "textiles",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 18000,
                "tiers": [(10, 16000)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Grana cochinilla seca para teñir, 100 g",
                "description": (
                    "Insecto de la grana criado sobre nopal en el valle de Oaxaca y secado al sol. Da rojos, "
                    "rosas y morados según el mordiente."
                ),
                "category": "artesanias",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 32000,
                "tiers": [(10, 28500)],
                "stock": 100,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["20"],
                "national_shipping": True,
            },
            {
                "title": "Taller de teñido con tintes naturales, 4 horas",
                "description": (
                    "Aprende a teñir lana con grana, añil y plantas del valle, y llévate tus madejas. "
                    "Incluye comida en casa de una tejedora."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 70000,
                "tiers": [],
                "stock": 200,
                "minimum_order": 2,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Sociedad Cooperativa de Producción Pesquera Marismas de Teacapán",
        "slug": "marismas-teacapan",
        "legal_form": "coop_produccion",
        "rfc": "PMT860818140",
        "state": "25",
        "municipality": "Escuinapa",
        "lat": 22.54,
        "lng": -105.75,
        "members": 118,
        "women_members": 23,
        "indigenous_community": None,
        "certifications": ["marca_colectiva"],
        "sdgs": [2, 8, 12, 14],
        "founded_year": 1986,
        "description": (
            "Cooperativa de pescadores ribereños del sistema lagunar de Teacapán, en el sur de Sinaloa. "
            "Capturamos camarón con atarraya y suripera en temporada autorizada y respetamos las vedas; las "
            "mujeres de la cooperativa elaboran camarón seco y machaca. Participamos en el monitoreo del "
            "manglar con la reserva de Marismas Nacionales."
        ),
        "listings": [
            {
                "title": "Camarón azul de estero congelado, por kilo",
                "description": (
                    "Camarón entero de talla grande, capturado con artes selectivas y congelado en salmuera "
                    "a bordo. Envío nacional en hielera con gel refrigerante."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "kg",
                "price_cents": 38000,
                "tiers": [(10, 35000), (50, 32000)],
                "stock": 2500,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["25", "18", "14"],
                "national_shipping": True,
            },
            {
                "title": "Camarón seco pelado de Escuinapa, 500 g",
                "description": (
                    "Camarón cocido en agua de mar, secado al sol en los patios de la cooperativa y pelado a "
                    "mano. Para caldos, tortitas y botanas."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 32000,
                "tiers": [(12, 29000)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["25"],
                "national_shipping": True,
            },
            {
                "title": "Camarón para restaurantes, caja de 10 kg congelado",
                "description": (
                    "Camarón de estero clasificado por talla en caja master de 10 kg. Factura y trazabilidad "
                    "por embarcación."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "caja",
                "price_cents": 330000,
                "tiers": [(5, 315000), (20, 298000)],
                "stock": 200,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["25", "18", "14"],
                "national_shipping": True,
            },
            {
                "title": "Filete de pargo congelado, por kilo",
                "description": (
                    "Filete sin piel ni espinas de pargo capturado con línea de mano. Empacado al vacío en "
                    "porciones de 1 kg."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "kg",
                "price_cents": 28000,
                "tiers": [(10, 26000)],
                "stock": 600,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["25", "18"],
                "national_shipping": True,
            },
            {
                "title": "Ostión de placer de Teacapán, caja de 100 piezas",
                "description": (
                    "Ostión de roca recolectado a mano en los placeres de la laguna, vivo y lavado. Sólo "
                    "entrega local por ser producto vivo."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "caja",
                "price_cents": 75000,
                "tiers": [(5, 68000)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": ["25", "18"],
                "national_shipping": False,
            },
            {
                "title": "Machaca de pescado estilo Sinaloa, 500 g",
                "description": (
                    "Pescado de temporada cocido, deshebrado y guisado con chile, cebolla y jitomate, "
                    "empacado al vacío. Sólo se calienta."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 15000,
                "tiers": [(12, 13500)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["25"],
                "national_shipping": True,
            },
            {
                "title": "Paseo en panga por las marismas y observación de aves",
                "description": (
                    "Recorrido de dos horas por esteros y manglares con pescadores de la cooperativa: "
                    "garzas, espátulas rosadas y cocodrilos de río. Hay salidas temprano por la mañana y al "
                    "atardecer."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 35000,
                "tiers": [],
                "stock": 900,
                "minimum_order": 2,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Servicio de banquete de mariscos para 50 personas",
                "description": (
                    "Ceviche, aguachile, pescado zarandeado y camarones a la diabla preparados por las "
                    "cocineras de la cooperativa. Incluye loza, mesas y servicio."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 1950000,
                "tiers": [],
                "stock": 20,
                "minimum_order": 1,
                "lead_time_days": 10,
                "pickup": True,
                "delivery_states": ["25", "18"],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Sociedad Cooperativa de Producción Pesquera y Turística Bahía del Sol Poniente",
        "slug": "bahia-sol-poniente",
        "legal_form": "coop_produccion",
        "rfc": "PBS791203G28",
        "state": "03",
        "municipality": "Comondú",
        "lat": 24.79,
        "lng": -112.11,
        "members": 76,
        "women_members": 15,
        "indigenous_community": None,
        "certifications": ["marca_colectiva"],
        "sdgs": [8, 12, 14],
        "founded_year": 1979,
        "description": (
            "Cooperativa de pescadores de Bahía Magdalena con concesión de langosta, almeja y escama. Desde "
            "los años noventa, cuando llega la ballena gris, dejamos las redes por unos meses y llevamos "
            "visitantes en nuestras pangas. Cultivamos ostión en la bahía y respetamos tallas mínimas y "
            "zonas de refugio pesquero."
        ),
        "listings": [
            {
                "title": "Almeja chocolata fresca, por kilo",
                "description": (
                    "Almeja viva extraída por buzos de la cooperativa, lavada y depurada. Para comer en su "
                    "concha con limón o tatemada."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "kg",
                "price_cents": 9500,
                "tiers": [(20, 8500), (100, 7500)],
                "stock": 1500,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": ["03"],
                "national_shipping": False,
            },
            {
                "title": "Langosta roja del Pacífico viva, por kilo",
                "description": (
                    "Langosta capturada con trampa en temporada, de talla legal. Envío aéreo en caja térmica "
                    "con algas húmedas."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "kg",
                "price_cents": 110000,
                "tiers": [(10, 102000)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["03"],
                "national_shipping": True,
            },
            {
                "title": "Callo de almeja catarina congelado, 500 g",
                "description": (
                    "Callo limpio de almeja catarina de Bahía Magdalena, congelado individualmente. Dulce y "
                    "tierno, para aguachile o a la plancha."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 26000,
                "tiers": [(12, 23500)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["03"],
                "national_shipping": True,
            },
            {
                "title": "Filete de cabrilla congelado al vacío, por kilo",
                "description": (
                    "Cabrilla capturada con línea de mano, fileteada en planta de la cooperativa y congelada "
                    "en menos de 12 horas. Se entrega en porciones de 1 kg."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "kg",
                "price_cents": 32000,
                "tiers": [(10, 29500), (50, 27500)],
                "stock": 800,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["03"],
                "national_shipping": True,
            },
            {
                "title": "Ostión japonés de cultivo, caja de 5 docenas",
                "description": (
                    "Sesenta ostiones cultivados en sartas dentro de la bahía, vivos y listos para abrir. "
                    "Envío refrigerado."
                ),
                "category": "pesca-acuacultura",
                "kind": "good",
                "unit": "caja",
                "price_cents": 72000,
                "tiers": [(10, 66000), (30, 61000)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["03"],
                "national_shipping": True,
            },
            {
                "title": "Avistamiento de ballena gris en Bahía Magdalena, 3 horas",
                "description": (
                    "Salida en panga con capitán certificado, de enero a marzo, para ver ballenas grises y "
                    "sus crías. Incluye chaleco salvavidas y brazalete de acceso al área."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 110000,
                "tiers": [],
                "stock": 3000,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Panga privada para avistamiento de ballenas, hasta 6 personas",
                "description": (
                    "Salida exclusiva para familias o grupos pequeños, con horario flexible y refrigerio. "
                    "Temporada de enero a marzo; el precio es por la panga completa."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 580000,
                "tiers": [],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Recorrido en kayak por los manglares",
                "description": (
                    "Remada guiada de tres horas por canales de manglar con observación de aves. Equipo "
                    "incluido; no se requiere experiencia."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 65000,
                "tiers": [],
                "stock": 500,
                "minimum_order": 2,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Organización de Trabajadoras Cocina y Limpieza Digna del Oriente",
        "slug": "cocina-limpieza-oriente",
        "legal_form": "org_trabajadores",
        "rfc": "OTC150308GH7",
        "state": "09",
        "municipality": "Iztapalapa",
        "lat": 19.36,
        "lng": -99.06,
        "members": 52,
        "women_members": 47,
        "indigenous_community": None,
        "certifications": [],
        "sdgs": [1, 5, 8, 10, 11],
        "founded_year": 2015,
        "description": (
            "Somos trabajadoras de Iztapalapa, muchas de ellas antes empleadas del hogar sin seguridad "
            "social, que nos organizamos para ofrecer servicios de cocina para eventos y limpieza con "
            "salarios dignos, contrato y prestaciones. Usamos productos biodegradables y compramos insumos a "
            "cooperativas del campo. Atendemos a oficinas, escuelas y organizaciones de la Ciudad de México "
            "y el Estado de México."
        ),
        "listings": [
            {
                "title": "Servicio de banquetes para 100 personas, comida de tres tiempos",
                "description": (
                    "Sopa, plato fuerte y postre de cocina mexicana de temporada, aguas frescas y café de "
                    "cooperativa. Incluye meseras, loza y mantelería."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 3850000,
                "tiers": [],
                "stock": 15,
                "minimum_order": 1,
                "lead_time_days": 10,
                "pickup": False,
                "delivery_states": ["09", "15"],
                "national_shipping": False,
            },
            {
                "title": "Coffee break para eventos, por persona",
                "description": (
                    "Café de olla y café de especialidad, té, fruta de temporada y pan dulce o tamalitos. "
                    "Mínimo 30 personas."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "persona",
                "price_cents": 11500,
                "tiers": [(100, 10000), (300, 9000)],
                "stock": 3000,
                "minimum_order": 30,
                "lead_time_days": 5,
                "pickup": False,
                "delivery_states": ["09", "15"],
                "national_shipping": False,
            },
            {
                "title": "Box lunch saludable para reuniones, por persona",
                "description": (
                    "Torta o ensalada, fruta, postre de amaranto y agua fresca, en empaque compostable. "
                    "Opciones vegetarianas."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "persona",
                "price_cents": 16500,
                "tiers": [(100, 15000), (500, 13500)],
                "stock": 4000,
                "minimum_order": 20,
                "lead_time_days": 3,
                "pickup": False,
                "delivery_states": ["09", "15"],
                "national_shipping": False,
            },
            {
                "title": "Limpieza de oficinas con productos biodegradables, por hora",
                "description": (
                    "Personal capacitado y asegurado, con equipo y productos biodegradables incluidos. "
                    "Contratos mensuales con factura."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "hora",
                "price_cents": 18000,
                "tiers": [(40, 16000), (160, 14500)],
                "stock": 2000,
                "minimum_order": 4,
                "lead_time_days": 3,
                "pickup": False,
                "delivery_states": ["09", "15"],
                "national_shipping": False,
            },
            {
                "title": "Limpieza profunda de casa o departamento, hasta 90 m²",
                "description": (
                    "Dos trabajadoras durante una jornada: cocina, baños, ventanas, closets y pisos. "
                    "Llevamos todo el material."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 180000,
                "tiers": [],
                "stock": 60,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": False,
                "delivery_states": ["09"],
                "national_shipping": False,
            },
            {
                "title": "Salsa macha de chile morita con cacahuate, 250 g",
                "description": (
                    "Chile morita, ajo y cacahuate fritos en aceite de girasol, en frasco de vidrio. Picor "
                    "medio y mucho sabor ahumado."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 9500,
                "tiers": [(12, 8200), (48, 7400)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["09", "15"],
                "national_shipping": True,
            },
            {
                "title": "Tamales oaxaqueños en hoja de plátano, caja de 12",
                "description": (
                    "Tamales de mole negro con pollo y de rajas con queso, envueltos en hoja de plátano. Se "
                    "entregan calientes o congelados."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "caja",
                "price_cents": 30000,
                "tiers": [(10, 27000)],
                "stock": None,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["09", "15"],
                "national_shipping": False,
            },
            {
                "title": "Tostadas horneadas de maíz azul, paquete de 30",
                "description": (
                    "Tostadas de maíz azul nativo horneadas, sin freír, con sal de mar. Crujientes y ligeras."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 6500,
                "tiers": [(20, 5800), (100, 5200)],
                "stock": 600,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["09", "15"],
                "national_shipping": True,
            },
        ],
    },
    {
        "name": "Cooperativa de Bioconstrucción Barro y Carrizo, S.C. de R.L.",
        "slug": "barro-y-carrizo",
        "legal_form": "coop_produccion",
        "rfc": "CBB140901G17",
        "state": "14",
        "municipality": "Zapopan",
        "lat": 20.72,
        "lng": -103.39,
        "members": 23,
        "women_members": 9,
        "indigenous_community": None,
        "certifications": [],
        "sdgs": [4, 6, 8, 9, 11, 13],
        "founded_year": 2014,
        "description": (
            "Cooperativa de trabajo de albañiles, arquitectas e ingenieros que construye con tierra, carrizo "
            "y cal. Recuperamos técnicas como el adobe, el bajareque y la tierra compactada, y las "
            "combinamos con diseño bioclimático. Además de construir, enseñamos: más de dos mil personas han "
            "pasado por nuestros talleres."
        ),
        "listings": [
            {
                "title": "Asesoría técnica en bioconstrucción, por hora",
                "description": (
                    "Revisión de proyectos, pruebas de suelo y recomendaciones para construir con tierra. "
                    "Presencial en Jalisco o en línea."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "hora",
                "price_cents": 95000,
                "tiers": [],
                "stock": 300,
                "minimum_order": 2,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["14"],
                "national_shipping": False,
            },
            {
                "title": "Taller práctico de construcción con adobe, fin de semana",
                "description": (
                    "Dos días de práctica: selección de tierra, elaboración de adobes, muros, aplanados y "
                    "acabados con cal. Incluye comidas y manual."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "persona",
                "price_cents": 320000,
                "tiers": [(5, 290000)],
                "stock": 120,
                "minimum_order": 1,
                "lead_time_days": 21,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
            {
                "title": "Construcción de módulo de adobe de 20 m² en obra negra",
                "description": (
                    "Cimentación de piedra, muros de adobe estabilizado, cadenas y techo de vigas con teja. "
                    "Incluye proyecto y supervisión."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 19500000,
                "tiers": [],
                "stock": 8,
                "minimum_order": 1,
                "lead_time_days": 60,
                "pickup": False,
                "delivery_states": ["14", "11", "06", "18"],
                "national_shipping": False,
            },
            {
                "title": "Aplanado de tierra y cal en muros, cuadrilla por hora",
                "description": (
                    "Cuadrilla de tres personas para aplanados de tierra, enjarres de cal y pinturas "
                    "naturales con baba de nopal. Precio por hora de cuadrilla; mínimo ocho horas."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "hora",
                "price_cents": 42000,
                "tiers": [(40, 38000), (160, 34000)],
                "stock": 1200,
                "minimum_order": 8,
                "lead_time_days": 14,
                "pickup": False,
                "delivery_states": ["14", "11", "06"],
                "national_shipping": False,
            },
            {
                "title": "Diseño arquitectónico bioclimático para vivienda",
                "description": (
                    "Proyecto ejecutivo de casa de hasta 120 m² con análisis de asoleamiento, ventilación "
                    "cruzada y materiales locales. Se trabaja en línea con visitas al terreno."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 3500000,
                "tiers": [],
                "stock": 10,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": True,
                "delivery_states": ["14"],
                "national_shipping": True,
            },
            {
                "title": "Estufa ahorradora de leña construida en sitio",
                "description": (
                    "Estufa de barro y ladrillo con chimenea que ahorra hasta la mitad de la leña y saca el "
                    "humo de la cocina. Ideal para programas comunitarios."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 350000,
                "tiers": [(10, 310000), (50, 280000)],
                "stock": 120,
                "minimum_order": 1,
                "lead_time_days": 20,
                "pickup": False,
                "delivery_states": ["14", "16", "06"],
                "national_shipping": False,
            },
            {
                "title": "Baño seco ecológico instalado",
                "description": (
                    "Sanitario seco de doble cámara con caseta de adobe o madera y capacitación a la familia "
                    "en su uso y mantenimiento. No usa agua y produce abono para el huerto."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 2300000,
                "tiers": [(5, 2100000)],
                "stock": 30,
                "minimum_order": 1,
                "lead_time_days": 21,
                "pickup": False,
                "delivery_states": ["14", "11", "06"],
                "national_shipping": False,
            },
            {
                "title": "Capacitación en captación de agua de lluvia para escuelas",
                "description": (
                    "Diseño e instalación de un sistema de captación con filtro y cisterna, con taller para "
                    "docentes y estudiantes. Capacidad de hasta 10 mil litros, según el techo disponible."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 1800000,
                "tiers": [],
                "stock": 20,
                "minimum_order": 1,
                "lead_time_days": 30,
                "pickup": False,
                "delivery_states": ["14", "11", "16"],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Impresora Cooperativa Tinta del Norte",
        "slug": "tinta-del-norte",
        "legal_form": "empresa_trabajadores",
        "rfc": "ICT0906024U1",
        "state": "19",
        "municipality": "Monterrey",
        "lat": 25.67,
        "lng": -100.31,
        "members": 31,
        "women_members": 12,
        "indigenous_community": None,
        "certifications": ["hecho_en_mexico"],
        "sdgs": [8, 9, 12],
        "founded_year": 2009,
        "description": (
            "Imprenta recuperada por sus propios trabajadores en 2009, cuando los dueños cerraron y dejaron "
            "salarios sin pagar. Desde entonces la administramos en asamblea y renovamos la maquinaria "
            "offset y digital. Preferimos papeles reciclados y tintas vegetales, y damos precio preferente a "
            "cooperativas."
        ),
        "listings": [
            {
                "title": "Impresión de 1,000 etiquetas autoadheribles a color",
                "description": (
                    "Etiquetas en papel o vinil con corte a la forma, para frascos, botellas y bolsas de "
                    "café. Incluye prueba de color."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 185000,
                "tiers": [(5, 168000), (20, 152000)],
                "stock": 400,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["19", "05", "28"],
                "national_shipping": True,
            },
            {
                "title": "Impresión offset de 5,000 volantes media carta",
                "description": (
                    "Volantes a cuatro tintas por ambos lados en papel reciclado de 90 g. Entrega en cinco "
                    "días hábiles."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 260000,
                "tiers": [(4, 235000)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["19", "05", "28"],
                "national_shipping": True,
            },
            {
                "title": "Cajas plegadizas impresas para producto, lote de 500",
                "description": (
                    "Cajas de cartulina con suaje a la medida de tu producto, impresas a color con barniz a "
                    "base de agua. Incluye dummy de prueba."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 780000,
                "tiers": [(4, 720000)],
                "stock": 100,
                "minimum_order": 1,
                "lead_time_days": 12,
                "pickup": True,
                "delivery_states": ["19", "05", "28"],
                "national_shipping": True,
            },
            {
                "title": "Diseño de identidad gráfica para cooperativas",
                "description": (
                    "Logotipo, paleta de color, tipografías y manual básico de uso, pensado para productos "
                    "del campo. Tres rondas de cambios."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 1200000,
                "tiers": [],
                "stock": 20,
                "minimum_order": 1,
                "lead_time_days": 15,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Diseño editorial y maquetación, por hora",
                "description": (
                    "Diseño de catálogos, informes anuales y manuales de capacitación, listos para imprenta "
                    "o para publicar en línea. Mínimo dos horas por proyecto."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "hora",
                "price_cents": 55000,
                "tiers": [(20, 49000)],
                "stock": 400,
                "minimum_order": 2,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": True,
            },
            {
                "title": "Impresión de 100 manuales engrapados de 40 páginas",
                "description": (
                    "Manuales en tamaño carta, interiores a una tinta y portada a color, engrapados al lomo. "
                    "Ideal para materiales de capacitación de cooperativas."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 520000,
                "tiers": [(5, 470000)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 7,
                "pickup": True,
                "delivery_states": ["19", "05", "28"],
                "national_shipping": True,
            },
            {
                "title": "Lona impresa para stand de feria, 2 × 1 m",
                "description": (
                    "Lona de 13 oz impresa en alta resolución con ojillos y dobladillo, lista para colgar. "
                    "Entrega en tres días."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "servicio",
                "price_cents": 65000,
                "tiers": [(10, 58000)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["19"],
                "national_shipping": True,
            },
            {
                "title": "Taller de encuadernación artesanal para grupos",
                "description": (
                    "Taller de cuatro horas en nuestra imprenta: costura japonesa, cuadernos cosidos y "
                    "reutilización de papel. Incluye materiales."
                ),
                "category": "servicios",
                "kind": "service",
                "unit": "persona",
                "price_cents": 45000,
                "tiers": [],
                "stock": 150,
                "minimum_order": 5,
                "lead_time_days": 14,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
    {
        "name": "Mujeres Caprinocultoras del Semidesierto, S.S.S.",
        "slug": "caprinocultoras-semidesierto",
        "legal_form": "sss",
        "rfc": "MCS100512QQA",
        "state": "11",
        "municipality": "Dolores Hidalgo Cuna de la Independencia Nacional",
        "lat": 21.16,
        "lng": -100.93,
        "members": 38,
        "women_members": 34,
        "indigenous_community": None,
        "certifications": ["hecho_en_mexico", "participativa"],
        "sdgs": [1, 2, 5, 8, 12],
        "founded_year": 2010,
        "description": (
            "Somos mujeres del semidesierto del norte de Guanajuato que criamos cabras en pastoreo y "
            "transformamos su leche en cajeta y quesos. Empezamos en 2010 con doce cabras por familia y hoy "
            "tenemos una quesería con registro sanitario. También aprovechamos el xoconostle y las tunas de "
            "nuestros solares."
        ),
        "listings": [
            {
                "title": "Cajeta quemada de leche de cabra, frasco de 600 g",
                "description": (
                    "Leche de cabra cocida lentamente en cazo de cobre con azúcar y una pizca de "
                    "bicarbonato, hasta caramelizar. Sin conservadores."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 12500,
                "tiers": [(12, 11000), (48, 9900)],
                "stock": 500,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["11", "22"],
                "national_shipping": True,
            },
            {
                "title": "Cajeta envinada a granel para reposterías, cubeta de 5 kg",
                "description": (
                    "Cajeta con un toque de jerez, para rellenar obleas, pasteles y crepas. Precio por kilo, "
                    "en cubetas de 5 kg."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "kg",
                "price_cents": 14000,
                "tiers": [(25, 12500), (100, 11200)],
                "stock": 1500,
                "minimum_order": 5,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": ["11", "22", "09"],
                "national_shipping": True,
            },
            {
                "title": "Queso fresco de cabra, 500 g",
                "description": (
                    "Queso de leche pasteurizada de nuestras cabras, suave y ligeramente salado. Se conserva "
                    "en refrigeración por diez días."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 11000,
                "tiers": [(10, 9800)],
                "stock": 120,
                "minimum_order": 1,
                "lead_time_days": 1,
                "pickup": True,
                "delivery_states": ["11", "22"],
                "national_shipping": False,
            },
            {
                "title": "Queso de cabra madurado con ceniza, 250 g",
                "description": (
                    "Queso de pasta blanda madurado tres semanas con cubierta de ceniza vegetal. Sabor "
                    "cremoso y un poco ácido."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 16500,
                "tiers": [],
                "stock": 80,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["11", "22"],
                "national_shipping": True,
            },
            {
                "title": "Jabón de leche de cabra y avena, 120 g",
                "description": (
                    "Jabón hecho en frío con leche fresca de cabra, aceite de oliva y avena. Muy suave, para "
                    "bebés y piel reactiva."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 6000,
                "tiers": [(24, 5200)],
                "stock": 300,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["11"],
                "national_shipping": True,
            },
            {
                "title": "Crema facial de leche de cabra y nopal, 60 g",
                "description": (
                    "Crema ligera con leche de cabra, mucílago de nopal y aceite de semilla de uva. Sin "
                    "parabenos."
                ),
                "category": "cosmetica-natural",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 16000,
                "tiers": [],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["11"],
                "national_shipping": True,
            },
            {
                "title": "Mermelada de xoconostle, 300 g",
                "description": (
                    "Xoconostle del semidesierto cocido con piloncillo y un poco de chile de árbol. "
                    "Agridulce; acompaña quesos y carnes."
                ),
                "category": "alimentos-procesados",
                "kind": "good",
                "unit": "pieza",
                "price_cents": 7800,
                "tiers": [(12, 6900)],
                "stock": 250,
                "minimum_order": 1,
                "lead_time_days": 3,
                "pickup": True,
                "delivery_states": ["11", "22"],
                "national_shipping": True,
            },
            {
                "title": "Tuna roja y xoconostle fresco, caja de 10 kg",
                "description": (
                    "Fruta de nopaleras de temporada, pelada o con cáscara, seleccionada a mano. Entrega "
                    "local en Guanajuato, Querétaro y Ciudad de México."
                ),
                "category": "frutas-verduras",
                "kind": "good",
                "unit": "caja",
                "price_cents": 25000,
                "tiers": [(10, 22000)],
                "stock": 150,
                "minimum_order": 1,
                "lead_time_days": 2,
                "pickup": True,
                "delivery_states": ["11", "22", "09"],
                "national_shipping": False,
            },
            {
                "title": "Visita al rancho caprino y taller de cajeta",
                "description": (
                    "Conoce el pastoreo con las cabreras, ordeña una cabra y prepara cajeta en cazo de "
                    "cobre. Incluye degustación de quesos."
                ),
                "category": "ecoturismo",
                "kind": "service",
                "unit": "persona",
                "price_cents": 40000,
                "tiers": [],
                "stock": 200,
                "minimum_order": 2,
                "lead_time_days": 5,
                "pickup": True,
                "delivery_states": [],
                "national_shipping": False,
            },
        ],
    },
]
