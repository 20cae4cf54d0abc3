"""The other powers' coefficients: Washington, Beijing, Pyongyang, Tokyo, Moscow (:mod:`sim.agents`)."""

from __future__ import annotations

from sim.structure.fields import CHOICE, Section, coef


class USAStructure(Section):
    """Washington's demand, carrots and sticks (:class:`sim.agents.USA`)."""

    demand_base: float = coef(
        0.35, 0.0, 1.0, "Alignment Washington asks for at no pressure and no tension.", CHOICE
    )
    demand_pressure: float = coef(
        0.35,
        0.0,
        1.0,
        "Extra alignment asked per unit of US pressure.",
        'A: "demands for greater defense spending, shifting strategic priorities"',
    )
    demand_tension: float = coef(
        0.3,
        0.0,
        1.0,
        "Extra alignment asked per unit of US-China tension.",
        'A: "If tensions between the U.S. and China intensify further ... Seoul may be forced to choose"',
    )
    commitment_base: float = coef(
        0.9,
        0.0,
        1.0,
        "Commitment Washington keeps when it does not condition it.",
        "R: ≈28,500 US troops",
    )
    commitment_condition: float = coef(
        2.0,
        0.0,
        5.0,
        "Commitment lost per unit of alignment short of the demand, per unit of conditioning.",
        "issue: compliance earns reassurance, a shortfall earns strain; T: Snyder (abandonment)",
    )
    condition_tension: float = coef(
        1.0,
        0.0,
        5.0,
        "Conditioning of commitment per unit of US-China tension, added to the pressure.",
        'A: "If tensions between the U.S. and China intensify further ... Seoul may be forced to choose"',
    )
    drift_strain: float = coef(
        1.0,
        0.0,
        5.0,
        "Commitment lost per unit of engagement above alignment, per unit pressure.",
        'A: "while the U.S. alliance shows signs of strain"',
    )
    commitment_rate: float = coef(0.08, 0.0, 1.0, "Monthly adjustment of commitment.", CHOICE)
    tariff_base: float = coef(0.05, 0.0, 1.0, "Tariff level with no pressure.", CHOICE)
    tariff_pressure: float = coef(
        0.1,
        0.0,
        1.0,
        "Tariff per unit of pressure even with full compliance.",
        "R: 2025 terms, tariffs 25% → 15% against an investment pledge",
    )
    tariff_shortfall: float = coef(
        0.9,
        0.0,
        5.0,
        "Tariff per unit of alignment shortfall, per unit pressure.",
        'B: "values transformed into tariff barriers and sanctions lists"',
    )
    tariff_rate: float = coef(0.1, 0.0, 1.0, "Monthly adjustment of tariffs.", CHOICE)
    tech_base: float = coef(
        0.5,
        0.0,
        1.0,
        "Tech controls per unit of US-China tension with full compliance.",
        'B: "trade policy increasingly doubles as geopolitical vetting"',
    )
    tech_shortfall: float = coef(
        1.5,
        0.0,
        5.0,
        "Tech controls per unit of alignment shortfall, per unit of pressure and tension.",
        'B: "secondary sanctions"; "condition market entry on compliance with Washington\'s strategic filters"',
    )
    tech_rate: float = coef(0.1, 0.0, 1.0, "Monthly adjustment of tech controls.", CHOICE)


class ChinaStructure(Section):
    """Beijing's coercion, inducements and restraint of the North (:class:`sim.agents.China`)."""

    tolerated_alignment: float = coef(
        0.5,
        0.0,
        1.0,
        "Alignment with Washington that Beijing tolerates without grievance.",
        'R: the 2017 "three noes" ended the campaign without ending the alliance',
    )
    grievance_tension: float = coef(
        1.0,
        0.0,
        5.0,
        "Extra grievance at alignment per unit of US-China tension.",
        'A: "the desire to avoid antagonizing Beijing on issues like Taiwan"',
    )
    grievance_japan: float = coef(
        0.3,
        0.0,
        2.0,
        "Grievance per unit of ROK-Japan cooperation per unit of China-Japan tension.",
        "calibration choice (Beijing's view of ROK-Japan security ties is not in the sources)",
    )
    coercion_floor: float = coef(
        0.3,
        0.0,
        1.0,
        "Coercion per unit of china_coercion with no grievance.",
        'A: "Economic ties with China come with strings: pressure to conform politically"',
    )
    coercion_grievance: float = coef(
        0.8,
        0.0,
        5.0,
        "Coercion per unit of grievance per unit of china_coercion.",
        'A: "could expose South Korea to economic retaliation"',
    )
    need_weight: float = coef(
        0.5,
        0.0,
        1.0,
        "How much China's need for Korean sensitive exports restrains its coercion.",
        'A: "China still needs advanced Korean exports for its own tech and consumer markets"',
    )
    retaliation_rate: float = coef(0.2, 0.0, 1.0, "Monthly adjustment of retaliation.", CHOICE)
    inducement_base: float = coef(
        0.3, 0.0, 1.0, "Share of the inducement offered whatever Seoul's engagement.", CHOICE
    )
    inducement_engagement: float = coef(
        0.7,
        0.0,
        1.0,
        "Share of the inducement that rises with Seoul's engagement.",
        "issue: inducements reward engagement",
    )
    inducement_alignment: float = coef(
        1.0,
        0.0,
        5.0,
        "Share of the inducement withdrawn per unit of grievance at Seoul's alignment.",
        'A: "Economic ties with China come with strings: pressure to conform politically"',
    )
    inducement_cut: float = coef(
        0.5, 0.0, 1.0, "Share of the inducement withdrawn at full retaliation.", CHOICE
    )
    campaign_persistence: float = coef(
        0.93,
        0.0,
        1.0,
        "Monthly persistence of a retaliation campaign's floor under retaliation.",
        "R: the 2017 THAAD retaliation lasted from March until the October 2017 agreement",
    )
    bonus_persistence: float = coef(
        0.9, 0.0, 1.0, "Monthly persistence of a one-off inducement package.", CHOICE
    )
    restraint_base: float = coef(
        0.2, 0.0, 1.0, "Restraint of the North with no engagement.", CHOICE
    )
    restraint_relations: float = coef(
        0.6,
        0.0,
        5.0,
        "Restraint gained per unit of Seoul's engagement with China.",
        'B: "Dialogue with Beijing ... becomes an instrument of stabilization"',
    )
    restraint_grievance: float = coef(
        0.5, 0.0, 5.0, "Restraint lost per unit of grievance.", CHOICE
    )
    restraint_retaliation: float = coef(
        0.3, 0.0, 1.0, "Share of restraint lost at full retaliation.", CHOICE
    )
    restraint_rate: float = coef(0.15, 0.0, 1.0, "Monthly adjustment of restraint.", CHOICE)


class DPRKStructure(Section):
    """Pyongyang's launches (:class:`sim.agents.DPRK`)."""

    launch_rate: float = coef(
        0.6,
        0.0,
        5.0,
        "Launch months per month at nk_provocation = 1 (before modifiers).",
        "R: ≈20 launches (2017), ≈60-70 (2022)",
    )
    hazard_base: float = coef(0.6, 0.0, 2.0, "Hazard multiplier at zero US alignment.", CHOICE)
    hazard_alignment: float = coef(
        0.8,
        0.0,
        2.0,
        "Extra hazard multiplier per unit of US-ROK alignment.",
        "calibration choice: the North seeks attention and leverage against the alliance (not in the sources)",
    )
    hazard_russia: float = coef(
        0.6,
        0.0,
        2.0,
        "Extra hazard per unit of Russian support.",
        "calibration choice: Russian support raises the North's capability (not in the sources)",
    )
    hazard_restraint: float = coef(
        0.6,
        0.0,
        1.0,
        "Share of the hazard China's full restraint removes.",
        'B: "real levers of influence over Pyongyang"',
    )
    detente_persistence: float = coef(
        0.93,
        0.0,
        1.0,
        "Monthly persistence of a détente after an inter-Korean summit.",
        "R: no launches in 2018 after the summits",
    )


class JapanStructure(Section):
    """Tokyo's own security and economic utility and its levers (:class:`sim.agents.Japan`)."""

    value_threat: float = coef(
        0.3,
        0.0,
        2.0,
        "Value Japan puts on ROK ties per unit of North Korean threat.",
        'B: "January statements by Japan\'s Foreign Ministry on the necessity of continuing security dialogue"',
    )
    value_china_tension: float = coef(
        0.35,
        0.0,
        2.0,
        "Value Japan puts on ROK security ties per unit of China-Japan tension.",
        'B: security "through a network, not a command"',
    )
    value_alliance: float = coef(
        0.3,
        0.0,
        2.0,
        "Value of trilateral coordination per unit of US commitment (Washington reassures both).",
        "R: Camp David trilateral summit (2023)",
    )
    value_trade: float = coef(
        0.15, 0.0, 2.0, "Value of trade with Korea.", "R: exports to Japan ≈4.5-5%"
    )
    reciprocity: float = coef(
        0.35,
        0.0,
        2.0,
        "Value per unit of Seoul's own cooperation (reciprocity).",
        'B: "Engagement with Japan does not cancel close contact with China"',
    )
    grievance_cost: float = coef(
        0.5,
        0.0,
        2.0,
        "Cost per unit of historical grievance between the two.",
        "R: the 2019 export-control clash followed the forced-labour rulings",
    )
    goodwill_value: float = coef(
        0.4,
        0.0,
        2.0,
        "Value per unit of goodwill built by summits (institutionalised coordination).",
        'B: "bilateral dialogue is being operationalized rather than ritualized"; R: Camp David (2023)',
    )
    goodwill_persistence: float = coef(
        0.97, 0.0, 1.0, "Monthly persistence of summit goodwill.", CHOICE
    )
    control_cost: float = coef(
        0.3, 0.0, 2.0, "Cost to cooperation per unit of Japan's own export controls.", CHOICE
    )
    cooperation_cost: float = coef(
        1.0,
        0.1,
        5.0,
        "Curvature of Japan's cost of cooperation (its target is value / cost).",
        CHOICE,
    )
    cooperation_rate: float = coef(
        0.1, 0.0, 1.0, "Monthly adjustment of Japan's cooperation.", CHOICE
    )
    control_persistence: float = coef(
        0.97,
        0.0,
        1.0,
        "Monthly persistence of Japanese export controls.",
        "R: the 2019 controls were lifted in 2023",
    )


class RussiaStructure(Section):
    """Moscow's support to the North (:class:`sim.agents.Russia`)."""

    support_base: float = coef(
        0.7, 0.0, 1.0, "Share of support given at no US-China tension.", CHOICE
    )
    support_tension: float = coef(
        0.3,
        0.0,
        1.0,
        "Share of support added at full US-China tension.",
        "calibration choice: Russia backs the North more as great-power rivalry sharpens",
    )
