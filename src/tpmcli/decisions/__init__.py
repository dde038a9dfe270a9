"""The decision maths: agreement between rankings, roadmap lanes, simulation."""
