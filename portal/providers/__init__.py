"""Provider adapters: each agency reached over HTTP behind one interface.

Only this package (and later ``delivery``) talks HTTP outward. An adapter turns the agency's
own raw format into the portal's model in one place, and the raw payload goes no further.
"""
