"""Policy pathways (Xiao & Xiao 2023) as lever bundles, and how they change a scenario."""
