"""What a ranking helps decide: how sure, what fits, whether the frameworks agree."""
