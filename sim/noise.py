"""Per-lane uniform noise in one compiled kernel, bit for bit what numpy's per-seed generators draw.

Lane ``r`` draws what ``np.random.Generator(np.random.PCG64(seeds[r])).random(n)`` would: the run
seed goes through numpy's ``SeedSequence`` (entropy words, pool mixing, ``generate_state(4,
uint64)``), seeds PCG64 (``pcg64_set_seed``: 128-bit state and odd increment), and each draw is
PCG64's XSL-RR output of its 128-bit LCG step, turned into a double as ``Generator.random`` does,
``(next_uint64 >> 11) * 2**-53``. numpy offers no vectorised way to run many such streams at once,
so the algorithms are written here (from ``numpy/random/bit_generator.pyx`` and
``numpy/random/src/pcg64/pcg64.h``) with 128-bit integers as pairs of uint64 halves, all lanes
advancing together.

The same functions run as plain Python when numba is disabled (``NUMBA_DISABLE_JIT=1``); there is no
second implementation. Every integer is a ``np.uint64`` so that numba never mixes signed and unsigned
types (which it would promote to float64).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numba import njit

_U = np.uint64
_ZERO = _U(0)
_ONE = _U(1)
_MASK32 = _U(0xFFFFFFFF)
_SHIFT32 = _U(32)
_WORD_BITS = _U(64)
_ROT_MASK = _U(63)
_ROT_SHIFT = _U(58)
_DOUBLE_SHIFT = _U(11)
_DOUBLE_SCALE = 1.0 / 9007199254740992.0
"""2**-53: ``Generator.random`` keeps the top 53 bits of each 64-bit output."""

# SeedSequence (numpy/random/bit_generator.pyx): a pool of four 32-bit words.
_POOL_SIZE = 4
_INIT_A = _U(0x43B0D7E5)
_MULT_A = _U(0x931E8875)
_INIT_B = _U(0x8B51F9DD)
_MULT_B = _U(0x58F38DED)
_MIX_MULT_L = _U(0xCA01F9DD)
_MIX_MULT_R = _U(0x4973F715)
_XSHIFT = _U(16)

# PCG64 (numpy/random/src/pcg64/pcg64.h): PCG_DEFAULT_MULTIPLIER_128 as high and low halves.
_MULT_HI = _U(2549297995355413924)
_MULT_LO = _U(4865540595714422341)


@njit(cache=True)
def _hashmix(value: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's ``hashmix`` on 32-bit words held in uint64.

    Args:
        value: the word to hash.
        hash_const: the running hash constant.

    Returns:
        the hashed word and the updated hash constant.
    """
    value = (value ^ hash_const) & _MASK32
    hash_const = (hash_const * _MULT_A) & _MASK32
    value = (value * hash_const) & _MASK32
    value ^= value >> _XSHIFT
    return value, hash_const


@njit(cache=True)
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    """SeedSequence's ``mix`` of two 32-bit words: ``(L*x - R*y) mod 2**32``, then xor-shifted.

    Args:
        x: the pool word.
        y: the hashed word mixed into it.

    Returns:
        the mixed word.
    """
    result = ((_MIX_MULT_L * x) - (_MIX_MULT_R * y)) & _MASK32
    return result ^ (result >> _XSHIFT)


@njit(cache=True)
def _seed_state(seed: np.uint64) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """``SeedSequence(seed).generate_state(4, np.uint64)`` for one uint64 seed.

    Args:
        seed: the run seed.

    Returns:
        the four uint64 words PCG64 is seeded with.
    """
    # Entropy: the seed's 32-bit words, lowest first; zero is one word, below 2**32 one word.
    low = seed & _MASK32
    high = seed >> _SHIFT32
    n_entropy = 2 if high != _ZERO else 1
    pool = np.zeros(_POOL_SIZE, dtype=np.uint64)
    hash_const = _INIT_A
    for i in range(_POOL_SIZE):
        word = _ZERO
        if i == 0:
            word = low
        elif i == 1 and n_entropy == 2:
            word = high
        pool[i], hash_const = _hashmix(word, hash_const)
    for i_src in range(_POOL_SIZE):
        for i_dst in range(_POOL_SIZE):
            if i_src != i_dst:
                hashed, hash_const = _hashmix(pool[i_src], hash_const)
                pool[i_dst] = _mix(pool[i_dst], hashed)
    # At most two entropy words: none is left over for SeedSequence's third loop.
    hash_const = _INIT_B
    words = np.zeros(2 * _POOL_SIZE, dtype=np.uint64)
    for i_dst in range(2 * _POOL_SIZE):
        value = pool[i_dst % _POOL_SIZE] ^ hash_const
        hash_const = (hash_const * _MULT_B) & _MASK32
        value = (value * hash_const) & _MASK32
        words[i_dst] = value ^ (value >> _XSHIFT)
    # uint32 pairs viewed as little-endian uint64.
    return (
        words[0] | (words[1] << _SHIFT32),
        words[2] | (words[3] << _SHIFT32),
        words[4] | (words[5] << _SHIFT32),
        words[6] | (words[7] << _SHIFT32),
    )


@njit(cache=True)
def _mul_hi(x: np.uint64, y: np.uint64) -> np.uint64:
    """The high 64 bits of the 128-bit product ``x * y``, through 32-bit halves.

    Args:
        x: first factor.
        y: second factor.

    Returns:
        ``(x * y) >> 64``.
    """
    x0 = x & _MASK32
    x1 = x >> _SHIFT32
    y0 = y & _MASK32
    y1 = y >> _SHIFT32
    w0 = x0 * y0
    t = x1 * y0 + (w0 >> _SHIFT32)
    w1 = (t & _MASK32) + x0 * y1
    return x1 * y1 + (t >> _SHIFT32) + (w1 >> _SHIFT32)


@njit(cache=True)
def _lcg_step(
    hi: np.uint64, lo: np.uint64, inc_hi: np.uint64, inc_lo: np.uint64
) -> tuple[np.uint64, np.uint64]:
    """One step of PCG64's 128-bit LCG: ``state * PCG_DEFAULT_MULTIPLIER_128 + inc`` mod 2**128.

    Args:
        hi: the state's high half.
        lo: the state's low half.
        inc_hi: the increment's high half.
        inc_lo: the increment's low half.

    Returns:
        the new state's halves.
    """
    prod_hi = _mul_hi(lo, _MULT_LO) + hi * _MULT_LO + lo * _MULT_HI
    prod_lo = lo * _MULT_LO
    new_lo = prod_lo + inc_lo
    carry = _ONE if new_lo < prod_lo else _ZERO
    return prod_hi + inc_hi + carry, new_lo


@njit(cache=True)
def _xsl_rr(hi: np.uint64, lo: np.uint64) -> np.uint64:
    """PCG64's output: the halves xor-ed, rotated right by the state's top six bits.

    Args:
        hi: the state's high half.
        lo: the state's low half.

    Returns:
        the 64-bit output.
    """
    value = hi ^ lo
    rot = hi >> _ROT_SHIFT
    return (value >> rot) | (value << ((_WORD_BITS - rot) & _ROT_MASK))


@njit(cache=True)
def _pcg64_init(
    seed: np.uint64,
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """``PCG64(seed)``'s state after ``pcg64_set_seed`` (``pcg_setseq_128_srandom_r``).

    Args:
        seed: the run seed.

    Returns:
        the state's and the increment's halves (state_hi, state_lo, inc_hi, inc_lo).
    """
    s_hi, s_lo, i_hi, i_lo = _seed_state(seed)
    inc_hi = (i_hi << _ONE) | (i_lo >> _ROT_MASK)
    inc_lo = (i_lo << _ONE) | _ONE
    hi, lo = _lcg_step(_ZERO, _ZERO, inc_hi, inc_lo)
    new_lo = lo + s_lo
    carry = _ONE if new_lo < lo else _ZERO
    hi, lo = _lcg_step(hi + s_hi + carry, new_lo, inc_hi, inc_lo)
    return hi, lo, inc_hi, inc_lo


@njit(cache=True)
def _fill(seeds: npt.NDArray[np.uint64], out: npt.NDArray[np.float64]) -> None:
    """Fill ``out`` (draws, R) with each lane's uniforms, lanes advancing together.

    Args:
        seeds: one uint64 run seed per lane, shape (R,).
        out: the output, shape (draws, R); column r receives lane r's first ``draws`` uniforms.
    """
    lanes = seeds.shape[0]
    state_hi = np.empty(lanes, dtype=np.uint64)
    state_lo = np.empty(lanes, dtype=np.uint64)
    inc_hi = np.empty(lanes, dtype=np.uint64)
    inc_lo = np.empty(lanes, dtype=np.uint64)
    for r in range(lanes):
        state_hi[r], state_lo[r], inc_hi[r], inc_lo[r] = _pcg64_init(seeds[r])
    for k in range(out.shape[0]):
        for r in range(lanes):
            hi, lo = _lcg_step(state_hi[r], state_lo[r], inc_hi[r], inc_lo[r])
            state_hi[r] = hi
            state_lo[r] = lo
            out[k, r] = np.float64(_xsl_rr(hi, lo) >> _DOUBLE_SHIFT) * _DOUBLE_SCALE


def uniform_lanes(seeds: Sequence[int] | np.ndarray, steps: int, width: int) -> np.ndarray:
    """Each lane's first ``steps * width`` uniforms of ``Generator(PCG64(seed)).random``.

    Args:
        seeds: one run seed per lane, integers in [0, 2**64).
        steps: draws per lane, first axis.
        width: draws per step, second axis.

    Returns:
        array of shape (steps, width, R): ``out[:, :, r]`` equals
        ``np.random.Generator(np.random.PCG64(int(seeds[r]))).random((steps, width))`` bit for bit,
        and depends only on ``seeds[r]``.
    """
    lane_seeds = np.ascontiguousarray(seeds, dtype=np.uint64)
    out = np.empty((steps * width, len(lane_seeds)))
    # Wrap-around is the algorithm; only the uncompiled path (numpy scalars) would warn about it.
    with np.errstate(over="ignore"):
        _fill(lane_seeds, out)
    return out.reshape(steps, width, len(lane_seeds))
