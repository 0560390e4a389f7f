"""A filter in the style of datatrove's (datatrove.pipeline.filters.base_filter.BaseFilter):
filter(doc) gets a document with .text and .metadata and returns True to keep it, or
(False, reason) to drop it. It rewrites doc.text to its content paragraphs, records the labels
in doc.metadata, and drops documents left with too little content. In a datatrove pipeline,
make it a subclass of BaseFilter (calling BaseFilter.__init__); datatrove is not needed here.
"""
import chaff


class ChaffFilter:
    name = "chaff"

    def __init__(self, min_content_chars=200, keep=("content",), model_path=None):
        self.model = chaff.Model(model_path)
        self.keep = set(keep)
        self.min_content_chars = min_content_chars

    def _apply(self, doc, results, paragraphs):
        doc.metadata["chaff_labels"] = [label for label, _ in results]
        doc.text = "\n".join(p for p, (label, _) in zip(paragraphs, results)
                             if label in self.keep)
        if len(doc.text) < self.min_content_chars:
            return False, "chaff_too_little_content"
        return True

    def filter(self, doc):
        paragraphs = [p for p in doc.text.split("\n") if p.strip()]
        return self._apply(doc, self.model.classify(paragraphs), paragraphs)

    def filter_batch(self, docs, threads=2):
        """The same for many documents at once, on the library's threads."""
        pages = [[p for p in doc.text.split("\n") if p.strip()] for doc in docs]
        return [self._apply(doc, results, paragraphs) for doc, results, paragraphs
                in zip(docs, self.model.classify_pages(pages, threads=threads), pages)]
