"""The five states around Seoul as Mesa agents: USA, China, DPRK, Japan, Russia.

Every agent holds its state as numpy arrays of shape (R,), one entry per lane, and acts in two stages:
``decide`` reads only the previous step's state (Seoul's posture and its own) and stores a pending
value; ``apply`` commits it. Targets are the maximisers of small quadratic utilities named in each
docstring, and each state moves a fixed fraction of the way toward its target per month (inertia).
Seoul itself lives in :mod:`sim.seoul`.

Seed files: ``000`` = ``../shared/seeds/000_deeffeb8dbe8f606.txt``,
``002`` = ``../shared/seeds/002_7a6cbb1f3476ae86.txt``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import GeoModel

Array = np.ndarray


def _toward(x: Array, target: Array, rate: Array | float) -> Array:
    """Move ``x`` a fraction ``rate`` of the way to ``target``, kept in [0, 1]."""
    return np.clip(x + rate * (target - x), 0.0, 1.0)


class USA(mesa.Agent):
    """Washington: presses for burden sharing and alignment; its commitment erodes under strain.

    State: ``commitment`` (kappa, credibility of the umbrella) and ``tariff`` (market-access barrier).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent at its initial state.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        k = model.knobs
        self.commitment: Array = np.clip(0.95 - 0.25 * k.levels.us_pressure, 0.0, 1.0)
        self.tariff: Array = self.tariff_target()

    def demanded_alignment(self) -> Array:
        """Alignment Washington asks of Seoul; rises with pressure.

        Source: "demands for greater defense spending, shifting strategic priorities" (000).
        """
        return 0.45 + 0.5 * self.model.knobs.levels.us_pressure

    def strain(self) -> Array:
        """Alliance strain: Seoul's drift toward Beijing, and half its shortfall from the demand, x pressure.

        Source: "if China continues to offer substantial economic incentives while the U.S. alliance
        shows signs of strain" (000).
        """
        rok = self.model.rok
        shortfall = np.maximum(0.0, self.demanded_alignment() - rok.us_alignment)
        drift = np.maximum(0.0, rok.china_engagement - rok.us_alignment)
        return self.model.knobs.levels.us_pressure * (0.5 * shortfall + drift)

    def commitment_benefit(self) -> Array:
        """Marginal value ``B`` of commitment to Washington: lowered by pressure and by strain.

        Source: "U.S.-backed defense umbrella" and "shifting strategic priorities" (000).
        """
        u = self.model.knobs.levels.us_pressure
        return 0.95 - 0.25 * u - 2.5 * self.strain()

    def commitment_target(self) -> Array:
        """Commitment that maximises ``security_utility + economic_utility``: ``B*k - k**2/2``, so ``k* = B``."""
        return np.clip(self.commitment_benefit(), 0.05, 1.0)

    def tariff_target(self) -> Array:
        """Tariff and tech-control level: pressure x (base + China engagement in sensitive sectors).

        Source: "values transformed into tariff barriers and sanctions lists", "U.S. critical mineral
        regulations tighten supply-chain access", "secondary sanctions" (002).
        """
        k = self.model.knobs
        rok = self.model.rok
        sensitive = rok.china_engagement * (1.0 - rok.derisking) * k.world.us_china_tension
        level = 0.35 + 0.8 * sensitive - 0.25 * rok.us_alignment
        return np.clip(0.05 + k.levels.us_pressure * level, 0.0, 1.0)

    def decide(self) -> None:
        """Compute pending commitment and tariff from last month's posture."""
        mech = self.model.knobs.mechanics
        self._next_commitment = _toward(
            self.commitment, self.commitment_target(), mech.commitment_rate
        )
        self._next_tariff = _toward(self.tariff, self.tariff_target(), mech.tariff_rate)

    def apply(self) -> None:
        """Commit the pending state."""
        self.commitment = self._next_commitment
        self.tariff = self._next_tariff

    def security_utility(self) -> Array:
        """Alliance cohesion: the value ``B*kappa`` of the commitment Washington keeps."""
        return self.commitment_benefit() * self.commitment

    def economic_utility(self) -> Array:
        """Burden sharing received (``pressure * a``) minus the cost of commitment, ``kappa**2/2``."""
        u = self.model.knobs.levels.us_pressure
        return u * self.model.rok.us_alignment - 0.5 * self.commitment**2


class China(mesa.Agent):
    """Beijing: rewards engagement, retaliates against alignment with Washington, restrains the North.

    State: ``retaliation`` (effective coercion against Seoul), ``restraint`` (over Pyongyang) and
    ``bonus`` (temporary inducement packages).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent at its initial state.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        self.retaliation: Array = np.zeros(model.lanes)
        self.restraint: Array = self.restraint_target()
        self.bonus: Array = np.zeros(model.lanes)

    def demanded_engagement(self) -> Array:
        """Engagement Beijing expects of Seoul; rises with its coercion level.

        Source: "Economic ties with China come with strings: pressure to conform politically" (000).
        """
        return 0.45 + 0.5 * self.model.knobs.levels.china_coercion

    def grievance(self) -> Array:
        """Shortfall from the expected engagement, plus Seoul's lean toward Washington."""
        rok = self.model.rok
        shortfall = np.maximum(0.0, self.demanded_engagement() - rok.china_engagement)
        lean = np.maximum(0.0, rok.us_alignment - rok.china_engagement)
        return shortfall + 0.6 * lean

    def pull(self) -> Array:
        """What coercion can win: grievance, and Seoul's Japan ties when China-Japan tension is high.

        Source: "possible coercion in sensitive sectors" (000).
        """
        k = self.model.knobs
        japan = k.world.china_japan_tension * self.model.rok.japan_cooperation
        return np.clip(0.25 + 1.5 * self.grievance() + 0.4 * japan, 0.0, 1.0)

    def need(self) -> Array:
        """China's dependence on un-de-risked Korean supply, which makes coercion costly to China.

        Source: "China still needs advanced Korean exports for its own tech and consumer markets" (000).
        """
        rok = self.model.rok
        return 0.35 * rok.china_engagement * (1.0 - rok.derisking)

    def retaliation_target(self) -> Array:
        """Coercion that maximises ``c*pull*x - x**2/(2*(1-need))``: ``x* = c*pull*(1-need)``."""
        return self.model.knobs.levels.china_coercion * self.pull() * (1.0 - self.need())

    def restraint_target(self) -> Array:
        """Restraint of the North: higher when relations with Seoul are good.

        Source: "China is an external actor possessing real levers of influence over Pyongyang" (002).
        """
        rok = self.model.rok
        relations = np.clip(0.5 + 1.2 * (rok.china_engagement - rok.us_alignment), 0.0, 1.0)
        return relations * (1.0 - 0.3 * self.retaliation)

    def inducement(self) -> Array:
        """Market access offered, in proportion to Seoul's engagement, cut while retaliating.

        Source: "if China continues to offer substantial economic incentives" (000).
        """
        k = self.model.knobs
        offer = np.clip(k.world.china_inducement + self.bonus, 0.0, 1.0)
        return (
            offer * (0.3 + 0.7 * self.model.rok.china_engagement) * (1.0 - 0.5 * self.retaliation)
        )

    def decide(self) -> None:
        """Compute pending retaliation and restraint from last month's posture."""
        mech = self.model.knobs.mechanics
        self._next_retaliation = _toward(
            self.retaliation, self.retaliation_target(), mech.retaliation_rate
        )
        self._next_restraint = _toward(self.restraint, self.restraint_target(), mech.restraint_rate)

    def apply(self) -> None:
        """Commit the pending state; inducement packages fade."""
        self.retaliation = self._next_retaliation
        self.restraint = self._next_restraint
        self.bonus = 0.9 * self.bonus

    def security_utility(self) -> Array:
        """Pull on Seoul won by coercion, ``c*pull*x``."""
        return self.model.knobs.levels.china_coercion * self.pull() * self.retaliation

    def economic_utility(self) -> Array:
        """Korean supply China keeps, minus what coercion costs it, ``x**2/(2*(1-need))``."""
        rok = self.model.rok
        supply = rok.china_engagement * (1.0 - rok.derisking)
        return supply - self.retaliation**2 / (2.0 * (1.0 - self.need()))


class DPRK(mesa.Agent):
    """Pyongyang: provokes at a scenario base rate, raised by US-ROK alignment and Russian support.

    State: ``launch`` (this month's launch event, 0/1), ``launches`` (count so far).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        self.launch: Array = np.zeros(model.lanes)
        self.launches: Array = np.zeros(model.lanes, dtype=np.int64)

    def rate(self) -> Array:
        """Monthly launch hazard: attention and leverage sought against alignment, less China's restraint.

        Sources: "Regular tests by the DPRK, including ballistic missile launches in early January
        2026" (002); "China ... levers of influence over Pyongyang" (002); Russia raises capability.
        """
        k = self.model.knobs
        a = self.model.rok.us_alignment
        russia = self.model.russia.support
        restraint = self.model.china.restraint
        return (
            k.mechanics.launch_rate
            * k.levels.nk_provocation
            * (0.6 + 0.8 * a)
            * (1.0 + 0.6 * russia)
            * (1.0 - 0.6 * restraint)
        )

    def decide(self) -> None:
        """Draw this month's launch from each lane's own noise."""
        hazard = self.rate()
        self._next_launch = (self.model.noise("launch") < -np.expm1(-hazard)).astype(np.float64)

    def apply(self) -> None:
        """Commit the launch and count it."""
        self.launch = self._next_launch
        self.launches = self.launches + self.launch.astype(np.int64)


class Japan(mesa.Agent):
    """Tokyo: reciprocates Seoul's engagement; cooperates more when both fear US abandonment.

    State: ``cooperation`` (Japan's side of the ROK-Japan tie).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        self.cooperation: Array = self.cooperation_target(model.usa.commitment)

    def cooperation_target(self, commitment: Array | None = None) -> Array:
        """Reciprocity plus shared abandonment fear (Cha's quasi-alliance), less China-Japan friction.

        Sources: "Seoul maintains working defense channels with Tokyo", "ties with Japan are as
        important as those with China" (002).
        """
        k = self.model.knobs
        rok = self.model.rok
        kappa = self.model.usa.commitment if commitment is None else commitment
        friction = k.world.china_japan_tension * np.maximum(
            0.0, rok.china_engagement - rok.japan_cooperation
        )
        return np.clip(
            0.15 + 0.55 * rok.japan_cooperation + 0.35 * (1 - kappa) - 0.35 * friction, 0, 1
        )

    def decide(self) -> None:
        """Pending cooperation from last month's posture."""
        rate = self.model.knobs.mechanics.japan_rate
        self._next = _toward(self.cooperation, self.cooperation_target(), rate)

    def apply(self) -> None:
        """Commit the pending state."""
        self.cooperation = self._next


class Russia(mesa.Agent):
    """Moscow: a minor actor that raises the North's capability; small trade tie with Seoul.

    State: ``support`` to the DPRK. Source: "strike a balance among major powers, including China and
    Russia" (000).
    """

    def __init__(self, model: GeoModel) -> None:
        """Create the agent.

        Args:
            model: the lane model.
        """
        super().__init__(model)
        self.support: Array = self.support_target()

    def support_target(self) -> Array:
        """Support rises with great-power rivalry."""
        w = self.model.knobs.world
        return w.russia_support * (0.7 + 0.3 * w.us_china_tension)

    def decide(self) -> None:
        """Pending support."""
        self._next = self.support_target()

    def apply(self) -> None:
        """Commit the pending state."""
        self.support = self._next
