"""Every coefficient of the model: one section per actor, each field with range, default, meaning, source.

In the spirit of Starsim's ``define_pars``: the model modules (:mod:`sim.seoul`, :mod:`sim.agents`,
:mod:`sim.model`, :mod:`sim.events`) hold no numeric literal other than 0, 1, 2 and functional-form
exponents (``tests/sim/test_structure.py`` scans their syntax trees); every number they use is a field
here, sweepable by dotted path (``structure.usa.commitment_rate``) and recorded in the manifest with
the resolved scenario.

Each field's ``source`` names where its default comes from:

- ``A: "..."``: a passage of the first source article, a 2025 commentary on President Lee
  Jae-myung's "pragmatic foreign policy" (our copy has no title line; it opens "South Korea appears to
  be undergoing a subtle yet potentially profound recalibration of its foreign policy"; docs/model.md §0);
- ``B: "..."``: a passage of *"South Korea Strategic Autonomy Redraws Its Diplomatic Map Beyond
  Alliance Discipline"* (online commentary, January 2026), the second source article;
- ``R: ...``: a public figure or a dated event of the public record (docs/model.md, "Figures");
- ``T: ...``: international-relations theory that maps onto the rule;
- ``calibration choice``: set by hand to make the mechanism work at a plausible scale; fitted to data by
  ``hedgesim calibrate`` where the data can identify it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def coef(default: float, lo: float, hi: float, description: str, source: str) -> Any:
    """A documented, bounded model coefficient.

    Args:
        default: the default value.
        lo: smallest allowed value.
        hi: largest allowed value.
        description: what the coefficient does, in a sentence.
        source: where the default comes from (see the module docstring).

    Returns:
        a pydantic ``Field`` carrying the source in its JSON schema.
    """
    return Field(
        default, ge=lo, le=hi, description=description, json_schema_extra={"source": source}
    )


CHOICE = "calibration choice"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class SeoulStructure(_Section):
    """Seoul's perception, indices and choice (:mod:`sim.seoul`)."""

    security_step: float = coef(
        0.03,
        0.001,
        0.2,
        "Largest monthly move of us_alignment and japan_cooperation.",
        "design brief: security posture can move within a term; calibration choice",
    )
    trade_step: float = coef(
        0.012,
        0.001,
        0.2,
        "Largest monthly move of china_engagement and derisking.",
        "trade structure moves slowly, time constants of years (design brief); calibration choice",
    )
    horizon: float = coef(
        12.0,
        0.0,
        120.0,
        "Planning horizon in months over which Seoul anticipates the others' responses (0 = myopic).",
        'A: "grounded in cost-benefit calculations", "maximizing benefit while minimizing exposure"',
    )
    threat_decay: float = coef(0.85, 0.0, 1.0, "Monthly persistence of perceived threat.", CHOICE)
    chronic_threat: float = coef(
        0.5,
        0.0,
        1.0,
        "Steady threat per unit of nk_provocation without launches.",
        'A: "persistent threats from the North"',
    )
    launch_shock: float = coef(
        0.35,
        0.0,
        1.0,
        "Share of the remaining headroom a launch month adds to threat.",
        'B: "Each launch is a litmus test for the strategies of allies"',
    )
    russia_amplifier: float = coef(
        0.5,
        0.0,
        2.0,
        "Extra threat per launch per unit of Russian support.",
        'A: "balance among major powers, including China and Russia"',
    )
    us_umbrella: float = coef(
        0.85,
        0.0,
        1.0,
        "Deterrence from full US commitment at full alignment.",
        'A: "U.S.-backed defense umbrella"',
    )
    china_levers: float = coef(
        0.2,
        0.0,
        1.0,
        "Deterrence from China's restraint of the North at full engagement.",
        'B: "China is an external actor possessing real levers of influence over Pyongyang"',
    )
    japan_channels: float = coef(
        0.35,
        0.0,
        1.0,
        "Deterrence from full cooperation with a cooperating Japan.",
        'B: "Seoul maintains working defense channels with Tokyo"',
    )
    japan_network_tension: float = coef(
        0.5,
        0.0,
        2.0,
        "Extra value of the Japan channel per unit of China-Japan tension.",
        'B: security "through a network of regional arrangements"',
    )
    security_base: float = coef(
        0.55, 0.0, 1.0, "Security index with no deterrence and no threat.", CHOICE
    )
    security_deterrence: float = coef(
        0.55, 0.0, 2.0, "Security index gained from full deterrence.", CHOICE
    )
    security_exposure: float = coef(
        0.6,
        0.0,
        2.0,
        "Security index lost to threat not covered by deterrence.",
        'A: "ongoing security threats from the North"',
    )
    security_china: float = coef(
        0.6,
        0.0,
        2.0,
        "Security index lost to Chinese coercion not answered by US and Japanese cover.",
        'A: "China\'s assertive regional behavior"; T: balance of threat (Walt)',
    )
    china_assertiveness: float = coef(
        1.2,
        0.0,
        2.0,
        "Threat from China per unit of china_coercion, answered only by US and Japanese cover.",
        'A: "China\'s assertive regional behavior — in maritime disputes and toward Taiwan"; T: balance of threat',
    )
    entrapment_us: float = coef(
        0.03,
        0.0,
        1.0,
        "Security lost to entrapment, per a**2 per unit of US-China tension.",
        'A: "participating too fully in U.S.-led initiatives against China"; T: Snyder',
    )
    entrapment_japan: float = coef(
        0.1,
        0.0,
        1.0,
        "Security lost to entrapment in China-Japan conflict, per j per unit tension.",
        'B: "Any conflict between the two Asian giants would instantly reflect on Korea\'s economy, security"',
    )
    economy_base: float = coef(
        0.12, 0.0, 1.0, "Economic index of the domestic economy alone.", CHOICE
    )
    china_market: float = coef(
        0.35,
        0.0,
        1.0,
        "Economic value of full engagement with China (diminishing returns).",
        'A: "Beijing has been South Korea\'s top trading partner"; R: exports to China ≈25%',
    )
    consumer_share: float = coef(
        0.5,
        0.0,
        1.0,
        "Share of China-facing trade in consumer sectors (the rest is sensitive tech).",
        "R: 2017 retaliation hit tourism, retail and culture; chips grew that year",
    )
    retaliation_bite: float = coef(
        1.5,
        0.0,
        3.0,
        "Economic loss per unit retaliation on the engaged consumer share.",
        'A: "possible coercion in sensitive sectors"; R: 0.5-1.2% of GDP in 2017',
    )
    coercion_risk: float = coef(
        0.7,
        0.0,
        2.0,
        "Expected loss per unit of china_coercion on un-shielded engagement with China.",
        'A: "possible coercion in sensitive sectors, and risks associated with overdependence"',
    )
    inducement_value: float = coef(
        0.6,
        0.0,
        1.0,
        "Economic gain per unit of China's inducement and of engagement.",
        'A: "if China continues to offer substantial economic incentives"',
    )
    tech_control_bite: float = coef(
        1.2,
        0.0,
        3.0,
        "Economic loss per unit US tech controls on un-de-risked sensitive trade with China.",
        'B: "U.S. critical mineral regulations tighten supply-chain access", "secondary sanctions"',
    )
    us_market: float = coef(
        0.3,
        0.0,
        1.0,
        "Economic value of open US market access (lost with tariffs).",
        'B: "values transformed into tariff barriers"; R: exports to the US ≈13-19%',
    )
    japan_market: float = coef(
        0.12,
        0.0,
        1.0,
        "Economic value of full cooperation with a cooperating, uncontrolled Japan.",
        'B: "ties with Japan are as important as those with China"',
    )
    export_control_bite: float = coef(
        0.8,
        0.0,
        1.0,
        "Share of the Japan tie lost at full Japanese export controls.",
        "R: Japan's 2019 licences on three chip-making chemicals (70-100% of world supply)",
    )
    burden_cost: float = coef(
        0.3,
        0.0,
        1.0,
        "Cost of burden sharing per a**2 per unit of US pressure.",
        'A: "demands for greater defense spending"; R: SMA ₩0.95tn (2017) → ₩1.52tn (2026)',
    )
    derisk_cost: float = coef(
        0.2,
        0.0,
        1.0,
        "Cost of de-risking per d**2.",
        'A: "diversifying supply chains, and maintaining alternative partnerships"',
    )
    derisk_loss: float = coef(
        0.3,
        0.0,
        1.0,
        "Share of China business given up at full de-risking.",
        'A: "limiting sensitive technology exports"',
    )
    derisk_shield: float = coef(
        0.8,
        0.0,
        1.0,
        "Share of exposure to retaliation and tech controls removed at full de-risking.",
        'A: Seoul "seems to be preparing measures to “de-risk” certain engagements"',
    )
    japan_politics: float = coef(
        2.0,
        0.0,
        2.0,
        "Domestic cost of cooperating with Japan, per j**2 per unit of historical grievance.",
        "R: the 2019 clash followed the October 2018 forced-labour rulings; calibration choice",
    )
    balance_loss: float = coef(
        0.3,
        0.0,
        2.0,
        "Autonomy lost per (a - m)**2.",
        'A: "internal pressure for more balanced and pragmatic diplomacy"',
    )
    dependence_loss: float = coef(
        0.25,
        0.0,
        2.0,
        "Autonomy lost per unit of squared dependence on either giant.",
        'B: "Korea seeks resilience in diversification", "Seoul expands its room for maneuver"',
    )


class USAStructure(_Section):
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


class ChinaStructure(_Section):
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
        'B: "Seoul builds equilibrium between China and Japan"',
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


class DPRKStructure(_Section):
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
        'B: "Regular tests by the DPRK"; attention and leverage sought against the alliance',
    )
    hazard_russia: float = coef(
        0.6,
        0.0,
        2.0,
        "Extra hazard per unit of Russian support.",
        'A: "balance among major powers, including China and Russia"',
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


class JapanStructure(_Section):
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


class RussiaStructure(_Section):
    """Moscow's support to the North (:class:`sim.agents.Russia`)."""

    support_base: float = coef(
        0.7, 0.0, 1.0, "Share of support given at no US-China tension.", CHOICE
    )
    support_tension: float = coef(
        0.3,
        0.0,
        1.0,
        "Share of support added at full US-China tension.",
        'A: "an increasingly fraught relationship between Washington and Beijing"',
    )


class GovernmentPreset(_Section):
    """One government orientation: utility weights and decision style."""

    security_weight: float = coef(0.4, 0.0, 1.0, "Weight on the security index.", CHOICE)
    economy_weight: float = coef(0.4, 0.0, 1.0, "Weight on the economic index.", CHOICE)
    autonomy_weight: float = coef(0.2, 0.0, 1.0, "Weight on strategic autonomy.", CHOICE)
    rationality: float = coef(
        8.0, 0.0, 5000.0, "Logit precision per unit of posture moved (0 = random moves).", CHOICE
    )
    move_cost: float = coef(
        0.03, 0.0, 1.0, "Utility cost per unit of posture moved (inertia).", CHOICE
    )


class Governments(_Section):
    """The named government orientations (docs/model.md §7.7 justifies each)."""

    pragmatic: GovernmentPreset = GovernmentPreset(
        security_weight=0.35, economy_weight=0.4, autonomy_weight=0.25
    )
    conservative: GovernmentPreset = GovernmentPreset(
        security_weight=0.45, economy_weight=0.37, autonomy_weight=0.18
    )
    progressive: GovernmentPreset = GovernmentPreset(
        security_weight=0.3, economy_weight=0.4, autonomy_weight=0.3
    )


class Elections(_Section):
    """Optional presidential elections, whose winner is drawn per lane (off by default)."""

    enabled: float = coef(0.0, 0.0, 1.0, "1 to hold elections, 0 for none.", CHOICE)
    period: float = coef(
        60.0, 1.0, 1200.0, "Months between elections (one term).", "R: five-year term"
    )
    first: float = coef(60.0, 1.0, 1200.0, "Month of the first election.", CHOICE)
    incumbent_advantage: float = coef(
        0.0, -20.0, 20.0, "Log-odds of the incumbent camp at an average record.", CHOICE
    )
    security_effect: float = coef(
        4.0, 0.0, 20.0, "Log-odds per unit of security index above its reference.", CHOICE
    )
    economy_effect: float = coef(
        6.0,
        0.0,
        20.0,
        "Log-odds per unit of economic index above its reference.",
        'A: "how well Seoul can manage domestic expectations"',
    )
    security_reference: float = coef(0.55, 0.0, 1.0, "Security index of an average record.", CHOICE)
    economy_reference: float = coef(0.55, 0.0, 1.0, "Economic index of an average record.", CHOICE)


class EventEffects(_Section):
    """How far each scheduled event moves its state, per unit of the event's magnitude (sim/events.py)."""

    missile_launch: float = coef(
        1.0,
        0.0,
        1.0,
        "A missile test: this month counts as a launch month.",
        'B: "ballistic missile launches in early January 2026"',
    )
    nuclear_threat: float = coef(
        0.4,
        0.0,
        1.0,
        "A nuclear test: perceived threat added.",
        "R: DPRK nuclear tests 2013, 2016, 2017",
    )
    tariff_hike: float = coef(
        0.3, 0.0, 1.0, "A tariff hike: US tariff added.", 'B: "tariff barriers"'
    )
    tariff_deal: float = coef(
        0.15, 0.0, 1.0, "A tariff deal: US tariff removed.", "R: 2025 terms, tariffs 25% → 15%"
    )
    retaliation_campaign: float = coef(
        0.6,
        0.0,
        1.0,
        "A retaliation campaign: retaliation raised to at least this.",
        "R: 2017 THAAD retaliation",
    )
    inducement_package: float = coef(
        0.3,
        0.0,
        1.0,
        "An inducement package: inducement bonus added.",
        'A: "substantial economic incentives"',
    )
    summit_china_retaliation: float = coef(
        0.3,
        0.0,
        1.0,
        "A summit with China (or accommodation): retaliation removed.",
        'R: the 2017 "three noes"',
    )
    summit_china_restraint: float = coef(
        0.2,
        0.0,
        1.0,
        "A summit with China: restraint of the North added.",
        'B: "the January meeting between Lee Jae-myung and Xi Jinping"',
    )
    summit_japan: float = coef(
        0.3,
        0.0,
        1.0,
        "A summit with Japan: goodwill added.",
        'B: "Prime Minister Takaichi and President Lee publicly aligned their positions"',
    )
    trilateral_summit_japan: float = coef(
        0.5, 0.0, 1.0, "A US-Japan-ROK summit: goodwill added.", "R: Camp David (2023)"
    )
    trilateral_summit_rok: float = coef(
        0.1,
        0.0,
        1.0,
        "A US-Japan-ROK summit: Seoul's own cooperation with Japan added (its commitments there).",
        "R: Camp David (2023): trilateral exercises, a crisis hotline",
    )
    summit_japan_rok: float = coef(
        0.05,
        0.0,
        1.0,
        "A summit with Japan: Seoul's own cooperation with Japan added.",
        'B: "Engagement with Japan does not cancel close contact with China"',
    )
    trilateral_summit_us: float = coef(
        0.1, 0.0, 1.0, "A US-Japan-ROK summit: US commitment added.", "R: Camp David (2023)"
    )
    alliance_reassurance: float = coef(
        0.2,
        0.0,
        1.0,
        "US reassurance: commitment added.",
        'A: "U.S. backing provides insurance against regional threats"',
    )
    japan_export_controls: float = coef(
        0.8,
        0.0,
        1.0,
        "Japanese export controls raised to at least this.",
        "R: Japan's 2019 export controls",
    )
    japan_export_controls_lifted: float = coef(
        1.0, 0.0, 1.0, "Share of Japanese export controls lifted.", "R: controls lifted in 2023"
    )
    inter_korean_summit: float = coef(
        0.9,
        0.0,
        1.0,
        "An inter-Korean summit: détente raised to at least this.",
        "R: the 2018 summits; no launches in 2018",
    )
    alignment_decision: float = coef(
        0.1,
        0.0,
        1.0,
        "A decision of Seoul's (e.g. THAAD): US alignment added.",
        "R: THAAD decision, July 2016",
    )


class Observation(_Section):
    """Maps the model's state to observable annual indicators (sim/observe.py)."""

    unga_base: float = coef(
        0.35,
        0.0,
        1.0,
        "Korea's UN-vote position between China (0) and the US (1) at a - m = 0.",
        "R: Bailey, Strezhnev and Voeten (2017) ideal points, 2013: 0.38, 2016: 0.51",
    )
    unga_lean: float = coef(0.5, 0.0, 3.0, "UN-vote position per unit of lean a - m.", CHOICE)
    exports_china_scale: float = coef(
        0.5,
        0.0,
        1.0,
        "Export share to China at full engagement, no retaliation, no de-risking.",
        "R: exports to China ≈26% (2015)",
    )
    exports_china_retaliation: float = coef(
        0.3,
        0.0,
        1.0,
        "Share of China exports lost at full retaliation (consumer goods only).",
        "R: 2017 losses in tourism and retail; intermediate goods grew",
    )
    exports_us_base: float = coef(
        0.08, 0.0, 1.0, "Export share to the US at zero alignment and closed market.", CHOICE
    )
    exports_us_alignment: float = coef(
        0.1,
        0.0,
        1.0,
        "Export share to the US per unit of alignment and open market.",
        "R: exports to the US ≈13% (2015), 18.7% (2024)",
    )


class StartStructure(_Section):
    """How a run starts in balance (sim/model.py, ``GeoModel.spin_up``)."""

    spinup_months: float = coef(
        60.0,
        0.0,
        1200.0,
        "Months the others run with Seoul's posture held (expected launches) before month 1.",
        "ODD initialisation: start at the others' equilibrium, so no start-up drift",
    )


class Structure(_Section):
    """All the model's coefficients, one section per actor."""

    start: StartStructure = StartStructure()
    seoul: SeoulStructure = SeoulStructure()
    usa: USAStructure = USAStructure()
    china: ChinaStructure = ChinaStructure()
    dprk: DPRKStructure = DPRKStructure()
    japan: JapanStructure = JapanStructure()
    russia: RussiaStructure = RussiaStructure()
    governments: Governments = Governments()
    elections: Elections = Elections()
    events: EventEffects = EventEffects()
    observation: Observation = Observation()


def structure_fields(model: type[BaseModel] = Structure, prefix: str = "structure") -> list[str]:
    """Dotted paths of every numeric coefficient under ``model``.

    Args:
        model: a section class.
        prefix: the dotted path of that section.

    Returns:
        the paths, in declaration order.
    """
    paths: list[str] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            paths.extend(structure_fields(ann, f"{prefix}.{name}"))
        else:
            paths.append(f"{prefix}.{name}")
    return paths
