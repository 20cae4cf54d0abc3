"""Seoul's coefficients: perception, indices and choice (:mod:`sim.seoul`)."""

from __future__ import annotations

from sim.structure.fields import CHOICE, Section, coef


class SeoulStructure(Section):
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
        "calibration choice: Russian support makes each launch more threatening",
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
        "R: the 2017 retaliation cost 0.5-1.2% of GDP, in tourism (visitors -48%) and retail",
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
        5.0,
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
