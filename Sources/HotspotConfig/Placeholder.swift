public enum HotspotConfigPlaceholder {}
