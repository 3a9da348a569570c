"""The importer of Magento's customer files (issue 15): reading the CSV in batches
(``reading``), reading cells (``cells``), checking and writing a batch of customers and
addresses (``customers``) or finances (``finances``), and the run that ties them together with
Check Data, the allowed-errors threshold and the per-batch checkpoint (``engine``)."""
