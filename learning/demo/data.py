"""The demo people and organisations. Every account shares one password (development only)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "impact-demo-2026"

REGIONS = ("Regio Midden", "Regio Oost")

# (name, agency kind code, region)
ORGANISATIONS = (
    ("Wijkteam Midden-Noord", "lokaal_team", "Regio Midden"),
    ("Veilig Thuis Midden", "veilig_thuis", "Regio Midden"),
    ("Raad voor de Kinderbescherming, locatie Midden", "raad_kinderbescherming", "Regio Midden"),
    ("Jeugdbescherming Midden", "gecertificeerde_instelling", "Regio Midden"),
    ("GGZ Midden", "ggz", "Regio Midden"),
    ("Gemeente Midden", "gemeente", "Regio Midden"),
    ("Wijkteam Oost-Centrum", "lokaal_team", "Regio Oost"),
    ("Veilig Thuis Oost", "veilig_thuis", "Regio Oost"),
    ("Gemeente Oost", "gemeente", "Regio Oost"),
)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    roles: tuple[str, ...]
    organisation: str | None
    what: str
    language: str = "nl"


PEOPLE = (
    DemoPerson("beheerder@example.org", "Anouk Beheerder", ("admin",), None, "beheerder"),
    DemoPerson("reviewer@example.org", "Ria Reviewer", ("reviewer",), "Wijkteam Midden-Noord", "reviewer (Midden)"),
    DemoPerson("co.reviewer@example.org", "Cor Collega", ("reviewer",), "Jeugdbescherming Midden",
               "co-reviewer (Midden)"),
    DemoPerson("reviewer.oost@example.org", "Ruben Reviewer", ("reviewer",), "Wijkteam Oost-Centrum", "reviewer (Oost)"),
    DemoPerson("wijkteam@example.org", "Wendy Wijkteam", (), "Wijkteam Midden-Noord", "deelnemer"),
    DemoPerson("veiligthuis@example.org", "Vincent Veilig Thuis", (), "Veilig Thuis Midden", "deelnemer"),
    DemoPerson("raad@example.org", "Rachida Raad", (), "Raad voor de Kinderbescherming, locatie Midden", "deelnemer"),
    DemoPerson("jeugdbescherming@example.org", "Joris Jeugdbescherming", (), "Jeugdbescherming Midden", "deelnemer"),
    DemoPerson("ggz@example.org", "Gerda GGZ", (), "GGZ Midden", "deelnemer"),
    DemoPerson("wijkteam.oost@example.org", "Olaf Oost", (), "Wijkteam Oost-Centrum", "deelnemer (Oost)", "en"),
    DemoPerson("ervaringsdeskundige@example.org", "Esther Ervaring", (), None, "ervaringsdeskundige"),
    DemoPerson("bestuurder@example.org", "Bert Bestuurder", ("policy_owner",), "Gemeente Midden", "beleidseigenaar (Midden)"),
    DemoPerson("directeur.vt@example.org", "Vera Directeur", ("policy_owner",), "Veilig Thuis Midden",
               "beleidseigenaar (Veilig Thuis Midden)"),
    DemoPerson("bestuurder.oost@example.org", "Petra Beleid", ("policy_owner",), "Veilig Thuis Oost", "beleidseigenaar (Oost)"),
)
