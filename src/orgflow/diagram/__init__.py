"""OrgFlow's own process diagrams: automatic layout, SVG rendering and runtime overlays."""
