"""Post-fit explanations of a clustering (rules, polyhedra, saliency, ambiguity).

Planned in the explanations issue; empty for now.
"""

__all__: list[str] = []
