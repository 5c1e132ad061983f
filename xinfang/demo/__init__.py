"""Synthetic, clearly fictional data: the demo county (``load_demo``) and the benchmark's province.

``texts`` writes Chinese petition letters, names, 身份证号, phones and addresses; ``generator`` turns
them into registrations; ``world`` builds the demo county, its users and petitions. Everything is
deterministic for a seed. Region codes start with 99 (no such province exists), so nobody takes a
demo record for a real place or person.
"""
