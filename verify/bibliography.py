"""The project's one bibliography: every source a claim, a family or a document cites.

Each :class:`Entry` has a stable key (first author's surname and year, a letter when
one author has two works that year), the authors, title, year, where it appeared and
a link where one exists.  :func:`resolve` turns a claim's ``source`` text into the
entries it cites: it accepts keys (``"jacot2018; cho2009"``) as well as author--year
text (``"Jacot, Gabriel & Hongler 2018 (Thm 1); Cho & Saul 2009"``), and keeps the
locator (``Thm 1``, ``Sec. 3``) of each citation as a note.  What it cannot match
(a module name, a remark) is returned as unresolved text, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Entry", "Citation", "ENTRIES", "KEYS", "get", "resolve", "keys_of"]


@dataclass(frozen=True)
class Entry:
    """One work: ``authors`` as written in a reference list, ``venue`` where it appeared."""

    key: str
    authors: str
    title: str
    year: int
    venue: str
    link: str = ""
    short: str = ""

    @property
    def label(self) -> str:
        """How the text cites it: ``Jacot, Gabriel & Hongler (2018)``."""
        return f"{self.short or self.authors} ({self.year})"

    @property
    def surnames(self) -> tuple[str, ...]:
        """The lower-case surnames (or the leading words of a corporate author)."""
        names = re.split(r",\s*|\s+and\s+|\s*&\s*", (self.short or self.authors).replace(" et al.", ""))
        return tuple(n.split()[-1].lower() for n in names if n.strip())


def _arxiv(number: str) -> str:
    return f"https://arxiv.org/abs/{number}"


def _doi(doi: str) -> str:
    return f"https://doi.org/{doi}"


ENTRIES: tuple[Entry, ...] = (
    Entry("eai2023", "EAI Math Reading Group", "Neural Tangent Kernels (slides: kernel methods 101, the "
          "neural tangent kernel, theoretical results)", 2023, "reading-group slides, 5 July 2023",
          short="EAI Math Reading Group"),
    Entry("rajatvd2019", "Rajat V. D.", "Understanding the Neural Tangent Kernel", 2019,
          "blog post, 10 November 2019", "https://rajatvd.github.io/NTK/"),
    Entry("ntknotes2023", "anonymous", "Neural Tangent Kernel: notes on functional gradient descent and "
          "reproducing kernel Hilbert spaces", 2023, "lecture notes, 26 February 2023",
          short="Notes on functional gradient descent"),
    Entry("odenotes", "anonymous", "Neural Tangent Kernel: the function-space ODE of gradient flow "
          "(handwritten derivation)", 2023, "handwritten notes", short="Handwritten notes on the ODE"),
    Entry("jacot2018", "Arthur Jacot, Franck Gabriel and Clément Hongler", "Neural Tangent Kernel: "
          "Convergence and Generalization in Neural Networks", 2018,
          "Advances in Neural Information Processing Systems 31 (NeurIPS)", _arxiv("1806.07572"),
          "Jacot, Gabriel & Hongler"),
    Entry("lee2018", "Jaehoon Lee, Yasaman Bahri, Roman Novak, Samuel S. Schoenholz, Jeffrey Pennington "
          "and Jascha Sohl-Dickstein", "Deep Neural Networks as Gaussian Processes", 2018,
          "International Conference on Learning Representations (ICLR)", _arxiv("1711.00165"), "Lee et al."),
    Entry("lee2019", "Jaehoon Lee, Lechao Xiao, Samuel S. Schoenholz, Yasaman Bahri, Roman Novak, Jascha "
          "Sohl-Dickstein and Jeffrey Pennington", "Wide Neural Networks of Any Depth Evolve as Linear "
          "Models Under Gradient Descent", 2019,
          "Advances in Neural Information Processing Systems 32 (NeurIPS)", _arxiv("1902.06720"), "Lee et al."),
    Entry("cho2009", "Youngmin Cho and Lawrence K. Saul", "Kernel Methods for Deep Learning", 2009,
          "Advances in Neural Information Processing Systems 22 (NIPS)",
          "https://papers.nips.cc/paper/3628-kernel-methods-for-deep-learning", "Cho & Saul"),
    Entry("williams1997", "Christopher K. I. Williams", "Computing with Infinite Networks", 1997,
          "Advances in Neural Information Processing Systems 9 (NIPS)",
          "https://papers.nips.cc/paper/1197-computing-with-infinite-networks", "Williams"),
    Entry("chizat2019", "Lénaïc Chizat, Edouard Oyallon and Francis Bach", "On Lazy Training in "
          "Differentiable Programming", 2019, "Advances in Neural Information Processing Systems 32 "
          "(NeurIPS)", _arxiv("1812.07956"), "Chizat, Oyallon & Bach"),
    Entry("daniely2016", "Amit Daniely, Roy Frostig and Yoram Singer", "Toward Deeper Understanding of "
          "Neural Networks: The Power of Initialization and a Dual View on Expressivity", 2016,
          "Advances in Neural Information Processing Systems 29 (NIPS)", _arxiv("1602.05897"),
          "Daniely, Frostig & Singer"),
    Entry("poole2016", "Ben Poole, Subhaneil Lahiri, Maithra Raghu, Jascha Sohl-Dickstein and Surya "
          "Ganguli", "Exponential Expressivity in Deep Neural Networks through Transient Chaos", 2016,
          "Advances in Neural Information Processing Systems 29 (NIPS)", _arxiv("1606.05340"), "Poole et al."),
    Entry("schoenholz2017", "Samuel S. Schoenholz, Justin Gilmer, Surya Ganguli and Jascha "
          "Sohl-Dickstein", "Deep Information Propagation", 2017,
          "International Conference on Learning Representations (ICLR)", _arxiv("1611.01232"),
          "Schoenholz et al."),
    Entry("xiao2020", "Lechao Xiao, Jeffrey Pennington and Samuel S. Schoenholz", "Disentangling "
          "Trainability and Generalization in Deep Neural Networks", 2020,
          "International Conference on Machine Learning (ICML)", _arxiv("1912.13053"), "Xiao et al."),
    Entry("hayou2019", "Soufiane Hayou, Arnaud Doucet and Judith Rousseau", "On the Impact of the "
          "Activation Function on Deep Neural Networks Training", 2019,
          "International Conference on Machine Learning (ICML)", _arxiv("1902.06853"), "Hayou et al."),
    Entry("hayou2021", "Soufiane Hayou, Eugenio Clerico, Bobby He, George Deligiannidis, Arnaud Doucet "
          "and Judith Rousseau", "Stable ResNet", 2021,
          "International Conference on Artificial Intelligence and Statistics (AISTATS)",
          _arxiv("2010.12859"), "Hayou et al."),
    Entry("simon2021", "James B. Simon, Sajant Anand and Michael R. DeWeese", "Reverse Engineering the "
          "Neural Tangent Kernel", 2021, "arXiv preprint (International Conference on Machine Learning, "
          "2022)", _arxiv("2106.03186"), "Simon et al."),
    Entry("arora2019", "Sanjeev Arora, Simon S. Du, Wei Hu, Zhiyuan Li, Ruslan Salakhutdinov and Ruosong "
          "Wang", "On Exact Computation with an Infinitely Wide Neural Net", 2019,
          "Advances in Neural Information Processing Systems 32 (NeurIPS)", _arxiv("1904.11955"),
          "Arora et al."),
    Entry("novak2019", "Roman Novak, Lechao Xiao, Jaehoon Lee, Yasaman Bahri, Greg Yang, Jiri Hron, "
          "Daniel A. Abolafia, Jeffrey Pennington and Jascha Sohl-Dickstein", "Bayesian Deep Convolutional "
          "Networks with Many Channels are Gaussian Processes", 2019,
          "International Conference on Learning Representations (ICLR)", _arxiv("1810.05148"), "Novak et al."),
    Entry("garriga2019", "Adrià Garriga-Alonso, Carl Edward Rasmussen and Laurence Aitchison", "Deep "
          "Convolutional Networks as Shallow Gaussian Processes", 2019,
          "International Conference on Learning Representations (ICLR)", _arxiv("1808.05587"),
          "Garriga-Alonso et al."),
    Entry("price1958", "Robert Price", "A Useful Theorem for Nonlinear Devices Having Gaussian Inputs", 1958,
          "IRE Transactions on Information Theory 4(2), 69--72", _doi("10.1109/TIT.1958.1057444"), "Price"),
    Entry("schoenberg1942", "Isaac J. Schoenberg", "Positive Definite Functions on Spheres", 1942,
          "Duke Mathematical Journal 9(1), 96--108", _doi("10.1215/S0012-7094-42-00908-6"), "Schoenberg"),
    Entry("rahimi2007", "Ali Rahimi and Benjamin Recht", "Random Features for Large-Scale Kernel Machines",
          2007, "Advances in Neural Information Processing Systems 20 (NIPS)",
          "https://papers.nips.cc/paper/3182-random-features-for-large-scale-kernel-machines",
          "Rahimi & Recht"),
    Entry("higham2002", "Nicholas J. Higham", "Accuracy and Stability of Numerical Algorithms (2nd ed.)",
          2002, "SIAM, Philadelphia", _doi("10.1137/1.9780898718027"), "Higham"),
    Entry("sheppard1899", "William F. Sheppard", "On the Application of the Theory of Error to Cases of "
          "Normal Distribution and Normal Correlation", 1899,
          "Philosophical Transactions of the Royal Society A 192, 101--167", _doi("10.1098/rsta.1899.0003"),
          "Sheppard"),
    Entry("isserlis1918", "Leon Isserlis", "On a Formula for the Product-Moment Coefficient of any Order of "
          "a Normal Frequency Distribution in any Number of Variables", 1918, "Biometrika 12(1/2), 134--139",
          _doi("10.1093/biomet/12.1-2.134"), "Isserlis"),
    Entry("golub1969", "Gene H. Golub and John H. Welsch", "Calculation of Gauss Quadrature Rules", 1969,
          "Mathematics of Computation 23(106), 221--230", _doi("10.1090/S0025-5718-69-99647-1"),
          "Golub & Welsch"),
    Entry("neal1996", "Radford M. Neal", "Bayesian Learning for Neural Networks", 1996,
          "Lecture Notes in Statistics 118, Springer", _doi("10.1007/978-1-4612-0745-0"), "Neal"),
    Entry("hanin2019", "Boris Hanin and Mihai Nica", "Finite Depth and Width Corrections to the Neural "
          "Tangent Kernel", 2019, "arXiv preprint (International Conference on Learning Representations, "
          "2020)", _arxiv("1909.05989"), "Hanin & Nica"),
    Entry("he2015", "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun", "Delving Deep into Rectifiers: "
          "Surpassing Human-Level Performance on ImageNet Classification", 2015,
          "IEEE International Conference on Computer Vision (ICCV)", _arxiv("1502.01852"), "He et al."),
    Entry("dyer2019", "Ethan Dyer and Guy Gur-Ari", "Asymptotics of Wide Networks from Feynman Diagrams",
          2019, "arXiv preprint (International Conference on Learning Representations, 2020)",
          _arxiv("1909.11304"), "Dyer & Gur-Ari"),
    Entry("liu2020", "Chaoyue Liu, Libin Zhu and Mikhail Belkin", "On the Linearity of Large Non-Linear "
          "Models: When and Why the Tangent Kernel is Constant", 2020,
          "Advances in Neural Information Processing Systems 33 (NeurIPS)", _arxiv("2010.01092"),
          "Liu, Zhu & Belkin"),
    Entry("rasmussen2006", "Carl Edward Rasmussen and Christopher K. I. Williams", "Gaussian Processes for "
          "Machine Learning", 2006, "MIT Press", "http://gaussianprocess.org/gpml/", "Rasmussen & Williams"),
    Entry("geman1980", "Stuart Geman", "A Limit Theorem for the Norm of Random Matrices", 1980,
          "The Annals of Probability 8(2), 252--261", _doi("10.1214/aop/1176994775"), "Geman"),
    Entry("yang2019", "Greg Yang", "Scaling Limits of Wide Neural Networks with Weight Sharing: Gaussian "
          "Process Behavior, Gradient Independence, and Neural Tangent Kernel Derivation", 2019,
          "arXiv preprint", _arxiv("1902.04760"), "Yang"),
    Entry("gunasekar2018", "Suriya Gunasekar, Jason Lee, Daniel Soudry and Nathan Srebro", "Characterizing "
          "Implicit Bias in Terms of Optimization Geometry", 2018,
          "International Conference on Machine Learning (ICML)", _arxiv("1802.08246"), "Gunasekar et al."),
)

KEYS: tuple[str, ...] = tuple(e.key for e in ENTRIES)
_BY_KEY = {e.key: e for e in ENTRIES}
if len(_BY_KEY) != len(ENTRIES):
    raise RuntimeError("bibliography keys repeat")

# The five source documents of the project, by the numbers under which they were first cited.
_DOCUMENT_NUMBERS = {"000": "eai2023", "001": "rajatvd2019", "002": "ntknotes2023", "003": "odenotes",
                     "004": "jacot2018"}
# Other names a work is cited by: the blog post by its title, lazy training by its first version.
_ALIASES = (("understanding the neural tangent kernel", "rajatvd2019"), ("chizat & bach", "chizat2019"))


def get(key: str) -> Entry:
    """The entry ``key``; a ValueError names the accepted keys otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"bibliography key {key!r} is unknown; accepted are {', '.join(KEYS)}") from None


@dataclass(frozen=True)
class Citation:
    """One citation of a source text: its entry (None when unresolved) and the rest of its
    text, a locator such as ``Thm 1`` or the unresolved text itself."""

    entry: Entry | None
    note: str = ""


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMBERS = re.compile(r"\bseeds?\s+((?:\d{3})(?:\s*(?:,|and)\s*\d{3})*)")


def _by_author_year(chunk: str) -> Entry | None:
    """The entry whose year appears in ``chunk`` and whose first author's surname starts it."""
    years = [int(y) for y in _YEAR.findall(chunk)]
    words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ'-]+", chunk)]
    for entry in ENTRIES:
        if entry.year in years and entry.surnames and entry.surnames[0] in words[:3]:
            return entry
    return None


def _closing(value: str, start: int) -> int:
    """The index of the bracket that closes the one at ``start`` (-1 when none does)."""
    depth = 0
    for k in range(start, len(value)):
        depth += {"(": 1, ")": -1}.get(value[k], 0)
        if depth == 0:
            return k
    return -1


def _tidy(note: str) -> str:
    """A locator without its brackets and separators: ``(proof of Thm 1)`` -> ``proof of Thm 1``."""
    note = note.strip(" ,.;")
    if note.startswith("(") and note.endswith(")") and _closing(note, 0) == len(note) - 1:
        note = note[1:-1]
    return "" if note.lower() in ("understanding the ntk",) else note.strip()


def resolve(source: str) -> tuple[Citation, ...]:
    """The citations of ``source``: ``;``-separated keys or author--year texts, in order, each
    entry once (its notes joined); unresolved pieces are kept as text."""
    found: list[Citation] = []
    for chunk in (c.strip() for c in str(source).split(";")):
        if not chunk:
            continue
        entries: list[tuple[Entry, str]] = []
        numbers = _NUMBERS.search(chunk)
        if numbers:
            note = _tidy(chunk[numbers.end():])
            entries += [(_BY_KEY[_DOCUMENT_NUMBERS[n]], note) for n in re.findall(r"\d{3}", numbers.group(1))
                        if n in _DOCUMENT_NUMBERS]
        elif chunk.split()[0].strip(",") in _BY_KEY:
            key, _, note = chunk.partition(" ")
            entries.append((_BY_KEY[key.strip(",")], _tidy(note)))
        else:
            lowered = chunk.lower()
            alias = next((key for text, key in _ALIASES if text in lowered), None)
            entry = _BY_KEY[alias] if alias else _by_author_year(chunk)
            if entry:
                year = _YEAR.search(chunk)
                entries.append((entry, _tidy(chunk[year.end():]) if year else ""))
        if not entries:
            found.append(Citation(None, chunk))
        for entry, note in entries:
            old = next((k for k, c in enumerate(found) if c.entry is entry), None)
            if old is None:
                found.append(Citation(entry, note))
            elif note and note not in found[old].note:
                found[old] = Citation(entry, "; ".join(n for n in (found[old].note, note) if n))
    return tuple(found)


def keys_of(source: str) -> tuple[str, ...]:
    """The bibliography keys ``source`` cites, in order (unresolved pieces left out)."""
    return tuple(c.entry.key for c in resolve(source) if c.entry)
