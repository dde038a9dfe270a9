"""Reading and writing YAML text: fast located reading, emitting, surgical patches."""
