"""The interview screen: sections, bilingual question cards, one widget per question type."""
