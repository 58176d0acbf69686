"""Polls and votes (投票): frozen rolls, ballots on a hash chain, art. 278 counting, follow-through."""
