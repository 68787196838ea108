"""installers/ is a tool of the tree, not an installed package: import it from the checkout."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
