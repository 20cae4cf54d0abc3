"""How far each scheduled event moves its state (:mod:`sim.events`)."""

from __future__ import annotations

from sim.structure.fields import Section, coef


class EventEffects(Section):
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
