"""Name pools of many origins for the demo org. Origin is never an input to any signal."""

from __future__ import annotations

FIRST: dict[str, tuple[str, ...]] = {
    "anglo": ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "William",
              "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
              "Charles", "Karen", "Emily", "Daniel", "Megan", "Matthew", "Ashley", "Andrew", "Laura"),
    "hispanic": ("José", "María", "Luis", "Carmen", "Carlos", "Ana", "Jorge", "Lucía", "Miguel", "Sofía",
                 "Alejandro", "Valentina", "Diego", "Camila", "Javier", "Isabel"),
    "korean": ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Jae-won", "Soo-ah", "Hyun-woo", "Ji-woo",
               "Dong-hyun", "Eun-ji", "Sang-min", "Yuna"),
    "chinese": ("Wei", "Fang", "Jian", "Li", "Hao", "Mei", "Jun", "Xiu", "Lei", "Yan", "Chen", "Ying"),
    "indian": ("Aarav", "Priya", "Vihaan", "Ananya", "Arjun", "Diya", "Rohan", "Kavya", "Rahul", "Neha",
               "Sanjay", "Pooja"),
    "vietnamese": ("Minh", "Linh", "Huy", "Thao", "Duc", "Trang", "Tuan", "Lan"),
    "nigerian": ("Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Emeka", "Funmilayo", "Tunde", "Chiamaka"),
    "arabic": ("Omar", "Layla", "Yusuf", "Amira", "Khalid", "Noor", "Tariq", "Salma"),
    "polish": ("Piotr", "Agnieszka", "Krzysztof", "Katarzyna", "Tomasz", "Magdalena"),
}
LAST: dict[str, tuple[str, ...]] = {
    "anglo": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
              "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
              "Lewis", "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker"),
    "hispanic": ("García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
                 "Ramírez", "Torres", "Flores", "Rivera"),
    "korean": ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"),
    "chinese": ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"),
    "indian": ("Patel", "Sharma", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair"),
    "vietnamese": ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu"),
    "nigerian": ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu"),
    "arabic": ("Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Aziz"),
    "polish": ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński"),
}
# Weighted so the org looks like a US tech company with staff of many backgrounds.
ORIGIN_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("anglo", 40), ("hispanic", 15), ("korean", 7), ("chinese", 9), ("indian", 12),
    ("vietnamese", 5), ("nigerian", 4), ("arabic", 4), ("polish", 4),
)
STREETS = ("Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main", "Sunset",
           "Ridge", "Lincoln", "Jackson", "Highland", "Church", "Spring", "River", "Forest", "Meadow")
STREET_TYPES = ("St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way", "Pl", "Terrace")
