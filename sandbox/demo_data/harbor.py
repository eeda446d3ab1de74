"""The demo companies' fixed facts: names, prices, people and the six Harbor Build projects.

Kept as plain tables so the story can be read (and changed) without reading the seeding code in `sandbox.demo`.
"""

from decimal import Decimal as D

# key: (name, account type, sub type, number)
ACCOUNTS = {
    "checking": ("Business Checking", "Bank", "Checking", "1010"),
    "ar": ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "1200"),
    "ap": ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000"),
    "card": ("Chase Ink Business Card", "Credit Card", "CreditCard", "2100"),
    "income_services": ("Construction Income", "Income", "ServiceFeeIncome", "4000"),
    "income_materials": ("Materials Income", "Income", "SalesOfProductIncome", "4100"),
    "cogs_materials": ("Job Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000"),
    "cogs_subs": ("Subcontractors", "Cost of Goods Sold", "CostOfLaborCos", "5100"),
    "cogs_labor": ("Direct Labor", "Cost of Goods Sold", "CostOfLaborCos", "5200"),
    "equipment": ("Equipment Rental", "Expense", "EquipmentRental", "6100"),
    "fuel": ("Fuel & Vehicle", "Expense", "Auto", "6200"),
    "permits": ("Permits & Licenses", "Expense", "OtherMiscellaneousServiceCost", "6300"),
    "insurance": ("Insurance", "Expense", "Insurance", "6400"),
    "office": ("Office Supplies", "Expense", "OfficeGeneralAdministrativeExpenses", "6500"),
}

# key: (name, type, description, unit price, purchase cost, income account, expense account, taxable)
ITEMS = {
    "demolition": ("Demolition & Haul-Away", "Service", "Demolition and debris haul-away (per hour)",
                   D("85"), D("45"), "income_services", "cogs_labor", False),
    "design": ("Design & Drafting", "Service", "Design, drafting and permit drawings (per hour)",
               D("140"), D("60"), "income_services", "cogs_labor", False),
    "project_mgmt": ("Project Management", "Service", "Project management and site supervision (per hour)",
                     D("110"), D("55"), "income_services", "cogs_labor", False),
    "carpentry": ("Carpentry Labor", "Service", "Framing and finish carpentry (per hour)",
                  D("95"), D("48"), "income_services", "cogs_labor", False),
    "electrical": ("Electrical Labor", "Service", "Licensed electrician (per hour)",
                   D("125"), D("68"), "income_services", "cogs_subs", False),
    "plumbing": ("Plumbing Labor", "Service", "Licensed plumber (per hour)",
                 D("120"), D("65"), "income_services", "cogs_subs", False),
    "permit": ("Permit Fees", "Service", "Building permit and inspection fees",
               D("650"), D("650"), "income_services", "permits", False),
    "lumber": ("Framing Lumber", "NonInventory", "Framing lumber (per 100 board feet)",
               D("210"), D("150"), "income_materials", "cogs_materials", True),
    "drywall": ("Drywall Sheet 4x8", "NonInventory", "1/2in drywall sheet, 4x8",
                D("24"), D("15.40"), "income_materials", "cogs_materials", True),
    "tile": ("Porcelain Tile", "NonInventory", "Porcelain floor and wall tile (per sq ft)",
             D("11.50"), D("6.25"), "income_materials", "cogs_materials", True),
    "cabinets": ("Shaker Cabinets", "NonInventory", "Shaker cabinet run (per linear ft)",
                 D("420"), D("262.50"), "income_materials", "cogs_materials", True),
    "fixtures": ("Plumbing Fixture Package", "NonInventory", "Sink, faucet, valves and trim package",
                 D("1850"), D("1150"), "income_materials", "cogs_materials", True),
    "electrical_kit": ("Electrical Materials Kit", "NonInventory", "Wire, boxes, breakers and devices",
                       D("640"), D("410"), "income_materials", "cogs_materials", True),
    "concrete": ("Ready-Mix Concrete", "NonInventory", "Ready-mix concrete (per cubic yard)",
                 D("245"), D("165"), "income_materials", "cogs_materials", True),
    "paint": ("Paint & Primer", "NonInventory", "Interior paint and primer (per gallon)",
              D("68"), D("38.75"), "income_materials", "cogs_materials", True),
    "decking": ("Composite Decking", "NonInventory", "Composite deck board, 16 ft",
                D("72"), D("44.20"), "income_materials", "cogs_materials", True),
}

# Which vendor supplies (or subcontracts) an item; items not listed are done by our own crew (time entries).
SUPPLIER = {
    "lumber": "bayline", "drywall": "bayline", "decking": "bayline", "concrete": "bayline", "paint": "bayline",
    "tile": "pacific_tile", "cabinets": "cabinet_depot", "fixtures": "eastbay_plumbing",
    "electrical_kit": "volt", "electrical": "volt", "plumbing": "eastbay_plumbing",
}

# key: (display name, email, 1099 contractor)
VENDORS = {
    "bayline": ("Bayline Lumber Supply", "orders@baylinelumber.example", False),
    "pacific_tile": ("Pacific Tile & Stone", "ar@pacifictile.example", False),
    "cabinet_depot": ("Cabinet Depot", "billing@cabinetdepot.example", False),
    "volt": ("Volt Electric Inc.", "office@voltelectric.example", True),
    "eastbay_plumbing": ("Eastbay Plumbing Co.", "jobs@eastbayplumbing.example", True),
    "sunbelt": ("Sunbelt Rentals", "oakland@sunbeltrentals.example", False),
    "city_permits": ("City of Oakland Planning & Building", "", False),
    "shell": ("Shell Fleet Fuel", "", False),
}

# key: (given, family, number, bill rate, cost rate, hired days ago)
EMPLOYEES = {
    "marcus": ("Marcus", "Bell", "E-101", D("95"), D("48"), 2900),
    "priya": ("Priya", "Natarajan", "E-102", D("110"), D("55"), 1500),
    "diego": ("Diego", "Alvarez", "E-103", D("85"), D("38"), 1100),
    "hannah": ("Hannah", "Kowalski", "E-104", D("65"), D("26"), 400),
    "tom": ("Tom", "Reyes", "E-105", D("105"), D("52"), 2200),
}

# Who logs the hours for each in-house service item (round-robin).
CREW = {
    "demolition": ["diego", "hannah"],
    "carpentry": ["marcus", "diego", "hannah"],
    "design": ["priya"],
    "project_mgmt": ["priya", "tom"],
}

CLASSES = ["Residential", "Commercial"]
DEPARTMENTS = ["Oakland Yard", "San Jose Yard"]

# key: (display name, company, given, family, email, phone, street, city, postal)
CUSTOMERS = {
    "okafor": ("Okafor Residence", "", "Adaeze", "Okafor", "adaeze.okafor@example.com", "(510) 555-0143",
               "418 Mandana Blvd", "Oakland", "94610"),
    "bayside": ("Bayside Dental Group", "Bayside Dental Group", "Lena", "Park", "office@baysidedental.example",
                "(510) 555-0188", "2100 Webster St", "Oakland", "94612"),
    "chen": ("Chen Family Trust", "", "Wei", "Chen", "wei.chen@example.com", "(408) 555-0102",
             "77 Almaden Ave", "San Jose", "95110"),
    "lakeshore": ("Lakeshore HOA", "Lakeshore Homeowners Association", "Gary", "Whitman",
                  "board@lakeshorehoa.example", "(510) 555-0177", "1500 Lakeshore Ave", "Oakland", "94606"),
    "ramirez": ("Sofia Ramirez", "", "Sofia", "Ramirez", "sofia.ramirez@example.com", "(510) 555-0121",
                "5521 Broadway Ter", "Oakland", "94618"),
    "fremont": ("Fremont Brewing Co.", "Fremont Brewing Co.", "Jake", "Morrison", "jake@fremontbrewing.example",
                "(408) 555-0160", "450 Auzerais Ave", "San Jose", "95126"),
    "miller": ("Grant Miller", "", "Grant", "Miller", "gmiller@example.com", "(510) 555-0109",
               "3320 Harrison St", "Oakland", "94611"),
    "rockridge": ("Rockridge Yoga Studio", "Rockridge Yoga Studio", "Maya", "Ellis", "hello@rockridgeyoga.example",
                  "(510) 555-0134", "5940 College Ave", "Oakland", "94618"),
    "patel": ("Anjali Patel", "", "Anjali", "Patel", "anjali.patel@example.com", "(510) 555-0156",
              "1207 Grand Ave", "Piedmont", "94610"),
    "jensen": ("Jensen Property Management", "Jensen Property Management LLC", "Erik", "Jensen",
               "erik@jensenpm.example", "(510) 555-0190", "300 Frank H Ogawa Plz", "Oakland", "94612"),
    "nguyen": ("Linh Nguyen", "", "Linh", "Nguyen", "linh.nguyen@example.com", "(408) 555-0115",
               "982 Lincoln Ave", "San Jose", "95125"),
    "temescal": ("Temescal Books", "Temescal Books", "Ruth", "Abebe", "ruth@temescalbooks.example",
                 "(510) 555-0171", "4920 Telegraph Ave", "Oakland", "94609"),
    "whitfield": ("Carol Whitfield", "", "Carol", "Whitfield", "carol.whitfield@example.com", "(510) 555-0128",
                  "64 Crocker Ave", "Piedmont", "94611"),
    "harborview": ("Harbor View Condos", "Harbor View Condominium Association", "Dale", "Sorensen",
                   "manager@harborviewcondos.example", "(510) 555-0199", "1 Embarcadero W", "Oakland", "94607"),
    "dominguez": ("Luis Dominguez", "", "Luis", "Dominguez", "luis.dominguez@example.com", "(408) 555-0147",
                  "2230 The Alameda", "San Jose", "95126"),
}

# The six real projects. start: days before today; length: planned days; scope: estimate lines (item, qty).
# change_orders: (status, memo, lines, days after start). payments: the share of each invoice (in date order) the
# client has paid. The first project also gets the demo budget.
PROJECTS = [
    {
        "key": "okafor_kitchen", "client": "okafor", "name": "Kitchen Remodel", "status": "IN_PROGRESS",
        "priority": 8, "pinned": True, "completion": 60, "start": 150, "length": 180,
        "class": "Residential", "department": "Oakland Yard", "accepted_by": "Adaeze Okafor", "payments": [1],
        "description": "Full kitchen gut and remodel: new layout, shaker cabinets, tile, lighting.",
        "scope": [("demolition", 24), ("design", 12), ("permit", 1), ("cabinets", 18), ("electrical_kit", 1),
                  ("electrical", 16), ("carpentry", 80), ("fixtures", 1), ("plumbing", 10), ("tile", 220),
                  ("paint", 8), ("project_mgmt", 20)],
        "change_orders": [
            ("Accepted", "Add pantry cabinet run beside the fridge.", [("cabinets", 6), ("carpentry", 12)], 40),
            ("Pending", "Under-cabinet LED lighting.", [("electrical_kit", 1), ("electrical", 6)], 130),
        ],
    },
    {
        "key": "bayside_ti", "client": "bayside", "name": "Clinic Tenant Improvement", "status": "IN_PROGRESS",
        "priority": 9, "pinned": True, "completion": 45, "start": 120, "length": 200,
        "class": "Commercial", "department": "Oakland Yard", "accepted_by": "Lena Park",
        "description": "Second-floor tenant improvement: four operatories, sterilization room, ADA restroom.",
        "scope": [("demolition", 40), ("permit", 2), ("lumber", 14), ("drywall", 180), ("electrical_kit", 3),
                  ("electrical", 60), ("plumbing", 40), ("carpentry", 160), ("fixtures", 4), ("paint", 30),
                  ("project_mgmt", 40)],
        "change_orders": [
            ("Accepted", "Extra plumbing for a fifth operatory.", [("fixtures", 1), ("plumbing", 12)], 35),
        ],
    },
    {
        "key": "chen_adu", "client": "chen", "name": "ADU Build", "status": "OPEN",
        "priority": 6, "pinned": False, "completion": 5, "start": 20, "length": 240,
        "class": "Residential", "department": "San Jose Yard", "accepted_by": "",
        "description": "Detached 600 sq ft accessory dwelling unit in the back yard.",
        "scope": [("design", 30), ("permit", 2), ("concrete", 22), ("lumber", 30), ("carpentry", 300),
                  ("drywall", 150), ("electrical_kit", 2), ("electrical", 40), ("plumbing", 36), ("fixtures", 2),
                  ("paint", 25), ("project_mgmt", 50)],
        "change_orders": [],
    },
    {
        "key": "lakeshore_deck", "client": "lakeshore", "name": "Deck & Railing Replacement", "status": "COMPLETE",
        "priority": 4, "pinned": False, "completion": 100, "start": 170, "length": 60,
        "class": "Commercial", "department": "Oakland Yard", "accepted_by": "Gary Whitman", "payments": [1, 1, 1, 1],
        "description": "Replace the clubhouse deck boards and railings with composite.",
        "scope": [("demolition", 16), ("decking", 140), ("lumber", 6), ("carpentry", 96), ("paint", 10)],
        "change_orders": [
            ("Accepted", "Replace rotted joists found under the old boards.", [("lumber", 3), ("carpentry", 16)],
             10),
        ],
    },
    {
        "key": "ramirez_bath", "client": "ramirez", "name": "Primary Bath Renovation", "status": "IN_PROGRESS",
        "priority": 7, "pinned": False, "completion": 55, "start": 75, "length": 110,
        "class": "Residential", "department": "Oakland Yard", "accepted_by": "Sofia Ramirez",
        "description": "Primary bathroom: curbless shower, double vanity, new tile throughout.",
        "scope": [("demolition", 12), ("tile", 160), ("plumbing", 20), ("fixtures", 1), ("carpentry", 40),
                  ("paint", 4)],
        "change_orders": [
            ("Pending", "Electric radiant floor heating.", [("electrical_kit", 1), ("electrical", 8)], 50),
        ],
    },
    {
        "key": "fremont_taproom", "client": "fremont", "name": "Taproom Buildout", "status": "IN_PROGRESS",
        "priority": 5, "pinned": False, "completion": 45, "start": 100, "length": 180,
        "class": "Commercial", "department": "San Jose Yard", "accepted_by": "Jake Morrison",
        "payments": [D("0.5")],
        "description": "Taproom buildout: bar, seating area, restrooms and a small stage.",
        "scope": [("design", 24), ("permit", 1), ("concrete", 8), ("lumber", 20), ("drywall", 120),
                  ("electrical_kit", 4), ("electrical", 50), ("plumbing", 30), ("carpentry", 140), ("fixtures", 2),
                  ("paint", 20), ("project_mgmt", 30)],
        "change_orders": [
            ("Accepted", "Walnut bar top and brass foot rail.", [("lumber", 2), ("carpentry", 30)], 30),
            ("Pending", "Extend the patio slab for outdoor seating.", [("concrete", 10), ("carpentry", 24)], 90),
        ],
    },
]

# The look-alike: a job under a project's client that is a plain sub-customer, not a project.
LOOKALIKE = ("okafor", "Basement Waterproofing")

# Small service calls for clients without projects: (client, item, qty, days ago, paid).
SERVICE_CALLS = [
    ("miller", "carpentry", 6, 140, True),
    ("rockridge", "electrical", 4, 95, True),
    ("patel", "carpentry", 3, 60, False),
    ("jensen", "plumbing", 5, 33, False),
    ("temescal", "paint", 6, 12, False),
]

# A walk-in repair paid on the spot (SalesReceipt): (client, item, qty, days ago).
CASH_SALE = ("whitfield", "carpentry", 2, 48)

SALES_TAX_PERCENT = D("10.75")  # Alameda County combined rate; applies to lines coded TAX (materials)
