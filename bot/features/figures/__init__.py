"""The commune's figures: statistics, charts, exports, the yearly rating, the draft summary."""
