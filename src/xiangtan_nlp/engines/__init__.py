"""Engines that run the per-document job (:func:`xiangtan_nlp.batch.process_one`) elsewhere.

``engines.dask``: on a Dask cluster (``pip install 'xiangtan_nlp[dask]'``). Nothing is imported
here, so ``import xiangtan_nlp`` never imports dask.
"""
